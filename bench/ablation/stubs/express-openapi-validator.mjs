// Only for GET job / POST: list routes rely on the validator's query defaults.
export function middleware() {
  return [
    function validatorStub(_req, _res, next) {
      next();
    },
  ];
}
