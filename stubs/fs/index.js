// dataverse-ify declares a dependency on the npm placeholder package "fs", which this registry
// does not carry; this stub stands in for it and simply re-exports Node's built-in module.
module.exports = require("node:fs");
