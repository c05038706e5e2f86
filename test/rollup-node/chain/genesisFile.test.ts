import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";
import {
  GenesisFileError,
  fromGethGenesis,
  readGenesisFile,
  toGethGenesis,
  writeGenesisFile,
} from "../../../rollup-node/chain/genesisFile";
import { convertGethGenesis } from "../../../rollup-node/conformance/gethGenesis";
import { DEFAULT_DEV_BALANCE, deriveDevAccounts } from "../../../rollup-node/chain/devAccounts";
import { devnetGenesis, genesisCommitments } from "../../../rollup-node/devnet/rollupDevnet";
import { devNodeKeys } from "../../../rollup-node/node/keys";

/** The devnet's genesis with a project's allocation and predeploy, as `npm run devnet` deploys it. */
function devnetLikeGenesis() {
  return devnetGenesis(
    {
      genesisAlloc: {
        "0x000000000000000000000000000000000000ca5e": { balance: 1000n * 10n ** 18n },
        "0x4e41540000000000000000000000000000000100": { nonce: 1n, code: "0x6000", storage: { "0x01": "0x2a" } },
      },
    },
    42_069n,
    1_700_000_000n,
    [...deriveDevAccounts(10, DEFAULT_DEV_BALANCE), devNodeKeys(DEFAULT_DEV_BALANCE).relayer],
  );
}

function expectFileError(json: unknown, fragment: string): void {
  try {
    fromGethGenesis(json);
  } catch (error) {
    expect(error).to.be.instanceOf(GenesisFileError);
    expect((error as GenesisFileError).message).to.include(fragment);
    return;
  }
  expect.fail(`expected a GenesisFileError about ${fragment}`);
}

describe("the L2 genesis as a geth genesis.json file", function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "genesis-file-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("round-trips: the file written, read back, gives the devnet genesis's hash", async () => {
    const genesis = devnetLikeGenesis();
    const file = path.join(dir, "genesis.json");
    await writeGenesisFile(file, genesis);
    const expected = await genesisCommitments(genesis);
    const read = await genesisCommitments(await readGenesisFile(file));
    expect(read).to.deep.equal(expected);
  });

  it("is geth's format: the conformance runner's geth parser builds the same genesis block from it", async () => {
    const genesis = devnetLikeGenesis();
    const json = JSON.parse(JSON.stringify(toGethGenesis(genesis))) as Record<string, unknown>;
    const converted = convertGethGenesis(json);
    // The file lists the system contracts itself: the chain adds none.
    const chain = await Chain.create({
      genesis: converted.genesis,
      common: converted.common,
      createGenesisBlock: converted.createGenesisBlock,
      addSystemContracts: false,
    });
    expect(bytesToHex(chain.head.hash())).to.equal((await genesisCommitments(genesis)).hash);
  });

  it("writes every fork at 0, the chain id, the predeploys, the system contracts and the allocations", async () => {
    const json = toGethGenesis(devnetLikeGenesis()) as {
      config: Record<string, unknown>;
      alloc: Record<string, { code?: string; balance: string }>;
      gasLimit: string;
      baseFeePerGas: string;
      timestamp: string;
    };
    expect(json.config.chainId).to.equal(42069);
    for (const key of [
      "homesteadBlock",
      "eip150Block",
      "eip155Block",
      "eip158Block",
      "byzantiumBlock",
      "londonBlock",
      "mergeNetsplitBlock",
      "terminalTotalDifficulty",
      "shanghaiTime",
      "cancunTime",
      "pragueTime",
      "osakaTime",
    ]) {
      expect(json.config[key], key).to.equal(0);
    }
    expect(json.config.bpo1Time).to.equal(undefined);
    expect(json.alloc["0x4e41540000000000000000000000000000000001"]?.code, "L2Bridge").to.match(/^0x[0-9a-f]{100,}/);
    expect(json.alloc["0x000f3df6d732807ef1319fb7b8bb8522d0beac02"]?.code, "EIP-4788").to.match(/^0x/);
    expect(json.alloc["0x0000f90827f1c53a10cb7a02335b175320002935"]?.code, "EIP-2935").to.match(/^0x/);
    expect(BigInt(json.alloc["0x000000000000000000000000000000000000ca5e"]?.balance ?? "0")).to.equal(
      1000n * 10n ** 18n,
    );
    expect(BigInt(json.timestamp)).to.equal(1_700_000_000n);
    expect(BigInt(json.gasLimit)).to.equal(4_000_000n);
    expect(BigInt(json.baseFeePerGas)).to.equal(1_000_000_000n);
  });

  it("a file with one balance changed gives another genesis hash (what the node then refuses)", async () => {
    const genesis = devnetLikeGenesis();
    const json = toGethGenesis(genesis) as { alloc: Record<string, { balance: string }> };
    (json.alloc["0x000000000000000000000000000000000000ca5e"] as { balance: string }).balance = "0x1";
    const changed = await genesisCommitments(fromGethGenesis(JSON.parse(JSON.stringify(json))));
    expect(changed.hash).to.not.equal((await genesisCommitments(genesis)).hash);
  });

  it("refuses a fork scheduled after genesis, a gap in the forks, and header fields an L2 genesis cannot have", () => {
    const base = () =>
      JSON.parse(JSON.stringify(toGethGenesis(devnetLikeGenesis()))) as { config: Record<string, unknown> } & Record<
        string,
        unknown
      >;
    const later = base();
    later.config.osakaTime = 1_800_000_000;
    expectFileError(later, "osakaTime");
    const gap = base();
    delete gap.config.cancunTime;
    expectFileError(gap, "cancun");
    const pow = base();
    pow.difficulty = "0x1";
    expectFileError(pow, "difficulty");
    expectFileError({ config: { chainId: 1, clique: {} }, alloc: {} }, "clique");
  });

  it("keeps EXECUTE's write rules: none when none, a rule, or a schedule by block and timestamp, refusing one it cannot apply", () => {
    const genesis = devnetLikeGenesis();
    const viaJson = (config: typeof genesis) => fromGethGenesis(JSON.parse(JSON.stringify(toGethGenesis(config))));
    expect(viaJson(genesis).writeRules).to.equal(undefined);
    expect(viaJson({ ...genesis, writeRules: "write-through" }).writeRules).to.equal("write-through");
    const schedule = [
      { rule: "write-through", block: 0n },
      { rule: "per-block", block: 1_000n },
      { rule: "write-through", timestamp: 2n ** 60n },
    ] as const;
    const json = toGethGenesis({ ...genesis, writeRules: schedule }) as { config: Record<string, unknown> };
    expect(json.config.writeRules).to.deep.equal([
      { rule: "write-through", block: 0 },
      { rule: "per-block", block: 1000 },
      { rule: "write-through", timestamp: "0x1000000000000000" },
    ]);
    expect(viaJson({ ...genesis, writeRules: schedule }).writeRules).to.deep.equal(schedule);
    const withRules = (writeRules: unknown) => ({ ...json, config: { ...json.config, writeRules } });
    expectFileError(withRules("sometimes"), 'config.writeRules: unknown write rule "sometimes"');
    expectFileError(withRules([{ rule: "per-block", block: 5 }]), "the first is at genesis");
    expectFileError(withRules([{ rule: "per-block", block: 0, timestamp: 0 }]), "has both block and timestamp");
    expectFileError(withRules([{ rule: "per-block" }]), "neither block nor timestamp");
    expectFileError(withRules({ rule: "per-block" }), "expected a rule name or a list of steps");
  });

  it("reads the hardfork from the schedule: a Prague genesis stays Prague", async () => {
    const prague = { ...devnetLikeGenesis(), hardfork: "prague" };
    const file = path.join(dir, "prague.json");
    await writeGenesisFile(file, prague);
    expect(JSON.parse(await readFile(file, "utf8")).config.osakaTime).to.equal(undefined);
    const read = await readGenesisFile(file);
    expect(read.hardfork).to.equal("prague");
    expect(await genesisCommitments(read)).to.deep.equal(await genesisCommitments(prague));
  });

  it("names the file in what it refuses inside it, with the field's own hint", async () => {
    const file = path.join(dir, "bad-alloc.json");
    const json = toGethGenesis(devnetLikeGenesis()) as { alloc: Record<string, unknown> };
    json.alloc["0xzz"] = { balance: "0x1" };
    await writeFile(file, JSON.stringify(json));
    try {
      await readGenesisFile(file);
      expect.fail("read a genesis with a malformed allocation");
    } catch (error) {
      expect(error).to.be.instanceOf(GenesisFileError);
      expect((error as GenesisFileError).message).to.equal(`${file}: alloc: 0xzz is not an address (not hex)`);
      expect((error as GenesisFileError).hint).to.include("20-byte hex addresses");
    }
  });

  it("places a JSON syntax error at its line and column, with the text there, not a character offset", async () => {
    // A trailing comma after an account's last field, as a hand edit leaves it.
    const lines = JSON.stringify(toGethGenesis(devnetLikeGenesis()), null, 2).split("\n");
    const at = lines.findIndex((l) => l.includes('"0x000000000000000000000000000000000000ca5e"'));
    const balance = at + 1;
    expect(lines[balance]).to.match(/"balance": "0x[0-9a-f]+"$/);
    lines[balance] = `${lines[balance]},`;
    const file = path.join(dir, "trailing-comma.json");
    await writeFile(file, lines.join("\n"));
    try {
      await readGenesisFile(file);
      expect.fail("read a genesis with a trailing comma");
    } catch (error) {
      expect(error).to.be.instanceOf(GenesisFileError);
      const { message, hint } = error as GenesisFileError;
      // The parser stops at the "}" closing the account: the line after the comma, its first non-blank column.
      const closing = lines[balance + 1];
      expect(closing.trim()).to.match(/^}/);
      const column = closing.indexOf("}") + 1;
      expect(message).to.equal(
        `${file} is not JSON: line ${balance + 2}, column ${column} (at: ${lines[balance].trim()} ⏎ }): Expected double-quoted property name`,
      );
      expect(message).not.to.match(/position \d+/);
      expect(hint).to.include("rollup:genesis");
    }
  });

  it("places a JSON syntax error inside a long line with the text just before it", async () => {
    const file = path.join(dir, "bad-hex-number.json");
    const text = JSON.stringify(toGethGenesis(devnetLikeGenesis())).replace('"gasLimit":"0x', '"gasLimit":0x');
    await writeFile(file, text);
    try {
      await readGenesisFile(file);
      expect.fail("read a genesis with an unquoted hex number");
    } catch (error) {
      const { message } = error as GenesisFileError;
      const offset = text.indexOf('"gasLimit":0x') + '"gasLimit":0'.length;
      expect(message).to.include(`line 1, column ${offset + 1} (at: …`);
      expect(message).to.include('"gasLimit":0x): ');
    }
  });

  it("refuses an account listed twice (JSON keeps the last entry's balance silently), by the same or another spelling", async () => {
    const relayer = "0x000000000000000000000000000000000000ca5e";
    const text = JSON.stringify(toGethGenesis(devnetLikeGenesis()), null, 2);
    // The same key twice, as a copied entry leaves it: the second's balance would replace the first's.
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.includes(`"${relayer}"`));
    lines.splice(at, 0, `    "${relayer}": { "balance": "0x1" },`);
    const exact = path.join(dir, "duplicate.json");
    await writeFile(exact, lines.join("\n"));
    try {
      await readGenesisFile(exact);
      expect.fail("read a genesis that lists an account twice");
    } catch (error) {
      expect(error).to.be.instanceOf(GenesisFileError);
      const { message, hint } = error as GenesisFileError;
      expect(message).to.equal(
        `${exact}: alloc: ${relayer} is listed twice, at lines ${at + 1} and ${at + 2} (JSON would keep only the second)`,
      );
      expect(hint).to.include("once");
    }
    // Another spelling of the same address: checksummed, or without 0x.
    const json = toGethGenesis(devnetLikeGenesis()) as { alloc: Record<string, unknown> };
    json.alloc["0x000000000000000000000000000000000000CA5E"] = { balance: "0x1" };
    expectFileError(json, `alloc: 0x000000000000000000000000000000000000CA5E and ${relayer} are the same account`);
    const bare = toGethGenesis(devnetLikeGenesis()) as { alloc: Record<string, unknown> };
    bare.alloc[relayer.slice(2)] = { balance: "0x1" };
    expectFileError(bare, `alloc: ${relayer.slice(2)} and ${relayer} are the same account`);
  });

  it("refuses a quantity written as a JSON number too large to read exactly, saying so", () => {
    const json = toGethGenesis(devnetLikeGenesis()) as { alloc: Record<string, { balance?: unknown }> };
    // 1 ETH in wei as a bare JSON number: above 2^53, JavaScript (and many JSON readers) round it.
    json.alloc["0x000000000000000000000000000000000000ca5e"].balance = 1000000000000000000;
    expectFileError(
      json,
      'alloc.0x000000000000000000000000000000000000ca5e.balance: 1000000000000000000 is a JSON number above 2^53 - 1, which JSON readers round: write it as a string, "1000000000000000000" or 0x-hex',
    );
    json.alloc["0x000000000000000000000000000000000000ca5e"].balance = -1;
    expectFileError(
      json,
      "alloc.0x000000000000000000000000000000000000ca5e.balance: expected a whole number of at least 0, got -1",
    );
  });

  it("says which file it cannot read", async () => {
    try {
      await readGenesisFile(path.join(dir, "missing.json"));
      expect.fail("read a missing file");
    } catch (error) {
      expect((error as GenesisFileError).code).to.equal("GENESIS_FILE");
      expect((error as GenesisFileError).hint).to.include("rollup:genesis");
    }
  });
});
