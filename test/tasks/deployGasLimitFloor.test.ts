import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { toQuantity } from "ethers";

import { MIN_L2_GAS_LIMIT } from "../../rollup-node/bridge/anchor";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { runTask } from "../support/runTask";

/** An L1 that is not the devnet's (chain 1337), where `rollup:deploy --genesis FILE` is how a rollup is made. */
const OTHER_L1_CHAIN_ID = 31_337n;

/**
 * attack-review-s27.md, second pass, finding 4: L1 refused every block whose gas limit is below
 * `MIN_L2_GAS_LIMIT`, a step up included, so a rollup deployed for a genesis below it could never
 * advance while its bridge accepts deposits (since s28 L1 accepts the climb to the floor, at the
 * cost of those blocks). `rollup:genesis` refuses such a genesis; a file written by hand or by
 * another tool skipped that check until rollup:deploy made it too; a genesis given by hash cannot
 * be checked and is deployed with a warning.
 */
describe("rollup:deploy refuses a genesis file whose gas limit L1 refuses every block of", function () {
  this.timeout(300_000);
  let l1: L1Devnet;
  let dir: string;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, chainId: OTHER_L1_CHAIN_ID });
    dir = mkdtempSync(path.join(tmpdir(), "deploy-gas-floor-"));
  });

  after(async () => {
    await l1?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A genesis file from rollup:genesis with its gas limit edited, as a hand-written one would be. */
  async function genesisWithGasLimit(name: string, gasLimit: bigint): Promise<string> {
    const file = path.join(dir, `${name}.json`);
    await runTask("rollup:genesis", { out: file, dev: true });
    const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...json, gasLimit: toQuantity(gasLimit) }));
    return file;
  }

  const deploy = (genesis: string, out: string): Promise<string> =>
    runTask("rollup:deploy", {
      l1Rpc: l1.url as string,
      genesis,
      // The dev deployer key (the L1 devnet funds it): a throwaway local L1.
      dev: true,
      sequencer: "0x000000000000000000000000000000000000dEaD",
      out,
    });

  it("below MIN_L2_GAS_LIMIT: refused before anything is deployed, naming the floor", async () => {
    const out = path.join(dir, "low-deployment.json");
    const genesis = await genesisWithGasLimit("low", MIN_L2_GAS_LIMIT - 1n);
    const error = await deploy(genesis, out).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string; hint?: string },
    );
    expect(error, "rollup:deploy accepted the genesis").to.not.equal(undefined);
    expect(error?.message).to.include(`is below ${MIN_L2_GAS_LIMIT}`);
    expect(error?.hint).to.equal("raise the L2 gas limit");
    expect(existsSync(out), "a deployment record was written").to.equal(false);
  });

  it("by --genesis-hash (no file to read): deployed with a warning that the gas limit was not checked", async () => {
    const out = path.join(dir, "by-hash-deployment.json");
    const printed = await runTask("rollup:deploy", {
      l1Rpc: l1.url as string,
      genesisHash: `0x${"11".repeat(32)}`,
      genesisStateRoot: `0x${"22".repeat(32)}`,
      dev: true,
      sequencer: "0x000000000000000000000000000000000000dEaD",
      out,
    });
    expect(printed).to.match(/deployed at 0x[0-9a-fA-F]{40}/);
    expect(printed).to.include(`is not checked; L1 accepts blocks below ${MIN_L2_GAS_LIMIT} only while each raises`);
  });

  it("at MIN_L2_GAS_LIMIT: deployed", async () => {
    const out = path.join(dir, "floor-deployment.json");
    const printed = await deploy(await genesisWithGasLimit("floor", MIN_L2_GAS_LIMIT), out);
    expect(printed).to.match(/deployed at 0x[0-9a-fA-F]{40}/);
  });
});
