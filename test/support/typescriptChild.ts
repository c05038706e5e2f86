import path from "node:path";

/**
 * The Node.js arguments that let a process the tests start run this repository's TypeScript
 * (`spawn(process.execPath, [...TYPESCRIPT_CHILD_ARGS, "rollup-node/node/cli.ts", …])`): the
 * caching loader of rollup-node/tsLoader.js, so that only the first start of a test run transpiles.
 */
export const TYPESCRIPT_CHILD_ARGS: readonly string[] = [
  "-r",
  path.resolve(__dirname, "../../rollup-node/tsLoader.js"),
];
