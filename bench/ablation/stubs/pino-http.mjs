export function pinoHttp() {
  return function pinoHttpStub(_req, _res, next) {
    next();
  };
}
