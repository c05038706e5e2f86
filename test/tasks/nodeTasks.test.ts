import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { hexlify } from "ethers";

import { deriveDevAccounts } from "../../rollup-node/chain/devAccounts";
import { DEFAULT_HARDFORK } from "../../rollup-node/chain/genesis";
import { readGenesisFile } from "../../rollup-node/chain/genesisFile";
import { silentLogger } from "../../rollup-node/logger";
import { keyEnvNames } from "../../rollup-node/node/keySources";
import { devNodeKeys } from "../../rollup-node/node/keys";
import { type AttesterServer, startAttesterServer } from "../../rollup-node/provers/attesterServer";
import { DEFAULT_ATTESTER_WAIT_MS } from "../../rollup-node/provers/defaults";
import {
  Committee,
  bundledCircuitArtifacts,
  committeeVerificationKey,
  loadBabyJub,
} from "../../rollup-node/provers/committee";
import { rejection } from "../rollup-node/rejection";
import { freePort } from "../support/freePort";
import { runTask } from "../support/runTask";

/** Runs `run` with the relayer's key variables unset (a developer's shell may have them). */
async function withoutRelayerKey(run: () => Promise<void>): Promise<void> {
  const names = Object.values(keyEnvNames("relayer"));
  const saved = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) delete process.env[n];
  try {
    await run();
  } finally {
    for (const [n, v] of saved) if (v !== undefined) process.env[n] = v;
  }
}

describe("rollup:genesis and rollup:verification-keys (running a rollup outside the devnet)", function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "node-tasks-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("rollup:genesis --dev needs no --relayer: it funds the dev node's relayer beside the dev accounts", async () => {
    await withoutRelayerKey(async () => {
      const out = path.join(dir, "dev-genesis.json");
      await runTask("rollup:genesis", { out, dev: true });
      const genesis = await readGenesisFile(out);
      const balance = (address: string): bigint =>
        Object.entries(genesis.alloc).find(([a]) => a.toLowerCase() === address.toLowerCase())?.[1].balance ?? 0n;
      expect(balance(devNodeKeys().relayer.address)).to.be.greaterThan(0n);
      expect(balance(deriveDevAccounts(1)[0]?.address as string)).to.be.greaterThan(0n);
    });
  });

  it("rollup:genesis --dev without --out writes genesis.json in the working directory (the file rollup:deploy --genesis and rollup:node --genesis are shown with)", async () => {
    await withoutRelayerKey(async () => {
      const cwd = process.cwd();
      const here = mkdtempSync(path.join(dir, "cwd-"));
      process.chdir(here);
      try {
        await runTask("rollup:genesis", { dev: true });
      } finally {
        process.chdir(cwd);
      }
      const genesis = await readGenesisFile(path.join(here, "genesis.json"));
      expect(Object.keys(genesis.alloc).length).to.be.greaterThan(0);
    });
  });

  it("rollup:genesis says the relayer's funding and the supply to back on L1 in ETH, with the exact wei beside", async () => {
    await withoutRelayerKey(async () => {
      const printed = await runTask("rollup:genesis", { out: path.join(dir, "eth.json"), dev: true });
      expect(printed).to.match(
        /funded with 1\.0 ETH \(1000000000000000000 wei\); genesis supply to back on L1: [0-9.]+ ETH \([0-9]+ wei\)/,
      );
    });
  });

  it("rollup:genesis without --dev still asks for the relayer", async () => {
    await withoutRelayerKey(async () => {
      const error = (await rejection(runTask("rollup:genesis", { out: path.join(dir, "g.json"), dev: false }))) as {
        code?: string;
      };
      expect(error.code).to.equal("NO_RELAYER");
    });
  });

  // Under Hardhat, `--config` is Hardhat's own (a hardhat.config file): a usage line naming the
  // bin's `--config FILE` sends the user to load their node JSON as a Hardhat config.
  it("rollup:node's refusal of an option shows the task's usage (npx hardhat rollup:node, --node-config), not the bin's", async () => {
    const error = (await rejection(
      runTask("rollup:node", {
        deployment: path.join(dir, "none.json"),
        l1Rpc: "http://127.0.0.1:1",
        l1PollInterval: 10,
      }),
    )) as { message: string; hint?: string };
    expect(error.message).to.contain("l1-poll-interval must be an integer of at least 50");
    expect(error.hint).to.contain("npx hardhat rollup:node --deployment FILE --l1-rpc URL");
    expect(error.hint).to.contain("--node-config FILE");
    expect(error.hint).not.to.contain("native-rollup-node");
  });

  it("rollup:attester's refusal of an option shows the task's usage (npx hardhat rollup:attester, --attester-config), not the bin's", async () => {
    const error = (await rejection(runTask("rollup:attester", { hardfork: "", dev: true, port: 0 }))) as {
      message: string;
      hint?: string;
    };
    expect(error.message).to.contain("hardfork must be a non-empty string");
    expect(error.hint).to.contain("npx hardhat rollup:attester [--port N]");
    expect(error.hint).to.contain("--attester-config FILE");
    expect(error.hint).not.to.contain("native-rollup-attester");
  });

  describe("rollup:verification-keys", () => {
    const servers: AttesterServer[] = [];
    before(async () => {
      for (let i = 0; i < 4; i++)
        servers.push(
          await startAttesterServer({
            privateKey: new Uint8Array(randomBytes(32)),
            fork: { hardfork: DEFAULT_HARDFORK, eips: [] },
            host: "127.0.0.1",
            port: 0,
            logger: silentLogger,
          }),
        );
    });
    after(async () => {
      await Promise.all(servers.map((s) => s.close()));
    });

    it("writes each committee's key: the bundled circuit's, bound to its running attesters' public keys in member order", async () => {
      const out = path.join(dir, "keys.json");
      const [a, b, c, d] = servers as [AttesterServer, AttesterServer, AttesterServer, AttesterServer];
      const printed = await runTask("rollup:verification-keys", {
        attesters: `${a.url},${b.url},${c.url};${d.url},${c.url}`,
        out,
      });
      const babyJub = await loadBabyJub();
      const expected = [
        [a, b, c],
        [d, c],
      ].map((members) =>
        hexlify(
          committeeVerificationKey(
            bundledCircuitArtifacts(),
            Committee.fromPublicKeys(
              babyJub,
              members.map((m) => m.publicKey),
            ),
          ),
        ),
      );
      expect(JSON.parse(readFileSync(out, "utf8"))).to.deep.equal(expected);
      expect(printed).to.contain("2 verification keys written").and.to.contain("--verification-keys");
    });

    it("refuses what is not a list of attester URLs, and names an attester that does not answer", async () => {
      const bad = (await rejection(
        runTask("rollup:verification-keys", { attesters: "localhost:1234", out: path.join(dir, "x.json") }),
      )) as { code?: string; message: string };
      expect(bad.code).to.equal("BAD_ATTESTERS");
      expect(bad.message).to.contain("localhost:1234 is not an http(s) URL");
      const deadUrl = "http://127.0.0.1:1";
      const dead = (await rejection(
        runTask("rollup:verification-keys", { attesters: deadUrl, out: path.join(dir, "y.json"), attesterWait: 2_000 }),
      )) as { code?: string; message: string; hint?: string };
      expect(dead.code).to.equal("ATTESTER_UNREACHABLE");
      expect(dead.message).to.contain(`attester 0 at ${deadUrl} did not answer within 2 s`);
      expect(dead.hint).to.contain("--attester-wait");
    });

    it("waits for an attester still starting (--attester-wait, the node's default), as the node does", async () => {
      // A port nothing listens on yet: the attester starts there a second after the task.
      const port = await freePort();
      const [a] = servers as [AttesterServer];
      const out = path.join(dir, "late.json");
      const task = runTask("rollup:verification-keys", { attesters: `${a.url},http://127.0.0.1:${port}`, out });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const late = await startAttesterServer({
        privateKey: new Uint8Array(randomBytes(32)),
        fork: { hardfork: DEFAULT_HARDFORK, eips: [] },
        host: "127.0.0.1",
        port,
        logger: silentLogger,
      });
      try {
        const printed = await task;
        expect(printed).to.contain(`attester 1 at http://127.0.0.1:${port} does not answer yet`);
        expect(printed).to.contain(`waiting up to ${DEFAULT_ATTESTER_WAIT_MS / 1000} s`);
        const babyJub = await loadBabyJub();
        const expected = hexlify(
          committeeVerificationKey(
            bundledCircuitArtifacts(),
            Committee.fromPublicKeys(babyJub, [a.publicKey, late.publicKey]),
          ),
        );
        expect(JSON.parse(readFileSync(out, "utf8"))).to.deep.equal([expected]);
      } finally {
        await late.close();
      }
    });
  });
});
