import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import { NODE_OPTIONS } from "../../rollup-node/node/nodeOptions";

const README = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
/** The options every connected task takes, named once in the table's header. */
const CONNECTION = ["l1Rpc", "l2Rpc", "rollup", "dataDir"];
const kebab = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

describe("README: the task table lists every task with its options", () => {
  const tasks = Object.values(hre.tasks).filter((t) => t.name === "devnet" || t.name.startsWith("rollup:"));

  it("has the tasks this plugin defines", () => {
    expect(tasks.map((t) => t.name)).to.include.members([
      "devnet",
      "rollup:deposit",
      "rollup:finalize",
      "rollup:message",
      "rollup:balance",
      "rollup:retry-message",
      "rollup:init",
    ]);
  });

  for (const t of Object.values(hre.tasks).filter((d) => d.name === "devnet" || d.name.startsWith("rollup:"))) {
    it(`${t.name}: a row naming each of its options`, () => {
      const row = README.split("\n").find((line) => line.startsWith(`| \`${t.name}`));
      expect(row, `no README row for ${t.name}`).to.be.a("string");
      const connected = Object.keys(t.paramDefinitions).includes("l1Rpc");
      for (const param of Object.keys(t.paramDefinitions)) {
        if (connected && CONNECTION.includes(param)) continue;
        expect(row, `${t.name} ${kebab(param)}`).to.contain(`\`${kebab(param)}`);
      }
      for (const positional of t.positionalParamDefinitions) expect(row).to.contain(`<${positional.name}>`);
    });
  }
});

describe("README: the node command's option table has a row for each of its options", () => {
  // `--config` (`--node-config` under Hardhat) and `--help` are told in the text above the table.
  for (const option of NODE_OPTIONS.filter((o) => o.name !== "config" && o.name !== "help")) {
    it(`--${option.name}`, () => {
      // A row's first cell may name two options (`--host HOST`, `--port N`).
      const row = README.split("\n").find(
        (line) => line.startsWith("| `--") && (line.split("|")[1] ?? "").includes(`\`--${option.name}`),
      );
      expect(row, `no row for --${option.name} in the rollup:node / native-rollup-node option table`).to.be.a("string");
    });
  }
});
