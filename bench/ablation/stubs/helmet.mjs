export default function helmet() {
  return function helmetStub(_req, _res, next) {
    next();
  };
}
