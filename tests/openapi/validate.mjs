// Validates docs/openapi.yaml (or the file given) against the OpenAPI 3.0 schema, resolving every
// $ref; exits 1 with the errors. Run by ctest as openapi_valid: `node validate.mjs [FILE]`.
import SwaggerParser from "@apidevtools/swagger-parser";
import { fileURLToPath } from "node:url";

const file = process.argv[2] ?? fileURLToPath(new URL("../../docs/openapi.yaml", import.meta.url));

try {
  const api = await SwaggerParser.validate(file);
  const problems = [];
  const ids = new Map();
  let operations = 0;
  for (const [path, item] of Object.entries(api.paths)) {
    for (const method of ["get", "put", "post", "delete", "options", "head", "patch", "trace"]) {
      const op = item[method];
      if (!op) continue;
      operations++;
      const name = `${method.toUpperCase()} ${path}`;
      if (!op.operationId) problems.push(`${name}: no operationId`);
      else if (ids.has(op.operationId))
        problems.push(`${name}: operationId ${op.operationId} is also that of ${ids.get(op.operationId)}`);
      else ids.set(op.operationId, name);
      if (!op["x-jobq-access"]) problems.push(`${name}: no x-jobq-access`);
      if (!Object.keys(op.responses).some((s) => /^[123]/.test(s)))
        problems.push(`${name}: no success response`);
    }
  }
  if (problems.length) {
    console.error(`${file}: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${operations} operations`);
} catch (err) {
  console.error(`${file}: not a valid OpenAPI document:\n${err.message}`);
  process.exit(1);
}
