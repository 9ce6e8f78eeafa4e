// Does not parse: the runtime must log why and exit non-zero, never serve.
exports.handler = function (event {
  return event;
};
