// node:http as require() returns it (see LAZY_BUILTINS in infra/service-function.ts).
module.exports = process.getBuiltinModule('node:http');
