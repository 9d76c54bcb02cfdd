// node:fs/promises as require() returns it: aliasing node:fs also aliases its subpaths, so this one
// needs its own shim (see LAZY_BUILTINS in infra/service-function.ts).
module.exports = process.getBuiltinModule('node:fs/promises');
