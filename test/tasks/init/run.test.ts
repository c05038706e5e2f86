import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { resolveInitOptions } from "../../../tasks/init/options";
import { renderTemplate } from "../../../tasks/init/render";
import { nextSteps, runInit } from "../../../tasks/init/run";
import { scratchDirs } from "../../support/scratchDirs";

describe("rollup:init: what a new project is told to run next", () => {
  const scratch = scratchDirs();
  it("lists the L2 contracts' tests beside the rollup's own tests and the devnet", () => {
    expect(nextSteps("acme")).to.deep.equal(["cd acme", "npm ci && npm test", "npm run test:l2", "npm run devnet"]);
  });

  it("says it is packing the framework before it packs (minutes of compiling, silent before: it looked hung)", async () => {
    const dir = path.join(scratch("init-pack-"), "acme");
    const lines: string[] = [];
    let writtenBeforePacking: string[] = [];
    const pack = async (): Promise<never> => {
      writtenBeforePacking = [...lines];
      throw new Error("stop here: the packing itself is not this test's");
    };
    const error = await runInit({ dir }, {} as HardhatRuntimeEnvironment, (l) => lines.push(l), pack).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).to.match(/^stop here/);
    expect(writtenBeforePacking.join("\n")).to.match(/^packing the framework/);
  });

  it("the project's README says the l1 / l2 networks dial L1_RPC_URL / L2_RPC_URL (a devnet on other ports)", () => {
    const options = resolveInitOptions({ dir: path.join(scratch("init-next-"), "acme") });
    const readme = renderTemplate(options, "9.9.9").find((f) => f.path === "README.md")?.content ?? "";
    expect(readme).to.contain("`--network l1` / `--network l2` dial `L1_RPC_URL` / `L2_RPC_URL`");
  });

  it("an optimistic project's README says who challenges and how to run an independent watcher (--role follower --challenge); others do not", () => {
    const dir = path.join(scratch("init-watch-"), "acme");
    const readmeOf = (args: Record<string, unknown>): string =>
      renderTemplate(resolveInitOptions({ dir, ...args }), "9.9.9").find((f) => f.path === "README.md")?.content ?? "";
    const permissioned = readmeOf({ optimistic: true, sequencing: "permissioned" });
    expect(permissioned).to.contain("npx native-rollup-node --role follower --challenge");
    expect(permissioned).to.contain("NATIVE_ROLLUP_CHALLENGER_KEY=0x…");
    expect(permissioned).to.contain("--deployment .devnet/rollup.json");
    // Under permissioned only the sequencer proposes: its own node will not challenge its forgery.
    expect(permissioned).to.contain("only the sequencer proposes");
    expect(readmeOf({ optimistic: true })).to.contain("--role follower --challenge");
    expect(readmeOf({})).to.not.contain("--challenge");
  });

  it("both READMEs say where a restarted watcher reads L1 from, as its start log does (round 31: not the deployment block)", () => {
    const dir = path.join(scratch("init-rescan-"), "acme");
    const project =
      renderTemplate(resolveInitOptions({ dir, optimistic: true }), "9.9.9").find((f) => f.path === "README.md")
        ?.content ?? "";
    const framework = readFileSync(path.join(__dirname, "..", "..", "..", "README.md"), "utf8");
    for (const readme of [project, framework]) {
      // The words of the challenger's start line (rollup-node/bridge/challenger.ts).
      expect(readme).to.contain("reading proposals from L1 block");
      expect(readme).to.not.match(/reads every proposal again/);
    }
  });

  it("so does the framework's README", () => {
    const readme = readFileSync(path.join(__dirname, "..", "..", "..", "README.md"), "utf8");
    expect(readme).to.contain("`--network l1` / `--network l2` dial `L1_RPC_URL` / `L2_RPC_URL`");
  });
});
