import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";
import { GethGenesisError } from "../../../rollup-node/conformance/errors";
import { convertGethGenesis } from "../../../rollup-node/conformance/gethGenesis";

/** A small geth genesis: forks by block up to the merge at block 4, then by timestamp. */
function genesis(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    config: {
      chainId: 4242,
      homesteadBlock: 0,
      eip150Block: 0,
      eip155Block: 0,
      eip158Block: 0,
      byzantiumBlock: 0,
      constantinopleBlock: 0,
      petersburgBlock: 0,
      istanbulBlock: 0,
      berlinBlock: 1,
      londonBlock: 2,
      mergeNetsplitBlock: 4,
      shanghaiTime: 100,
      cancunTime: 200,
      pragueTime: 300,
      osakaTime: 400,
      bpo1Time: 500,
      terminalTotalDifficulty: 100,
      blobSchedule: {
        cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 },
        prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
        osaka: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
        bpo1: { target: 10, max: 15, baseFeeUpdateFraction: 8346193 },
      },
      ...extra,
    },
    nonce: "0x42",
    timestamp: "0x0",
    extraData: "0x1234",
    gasLimit: "0x5f5e100",
    difficulty: "0x20000",
    alloc: { "0000000000000000000000000000000000000abc": { balance: "0x10", storage: { "0x01": "0x02" } } },
  };
}

describe("geth genesis conversion", () => {
  it("schedules forks by block before the merge and by timestamp after it", () => {
    const { common } = convertGethGenesis(genesis());
    expect(common.chainId()).to.equal(4242n);
    expect(common.getHardforkBy({ blockNumber: 0n, timestamp: 0n })).to.equal("istanbul");
    expect(common.getHardforkBy({ blockNumber: 1n, timestamp: 0n })).to.equal("berlin");
    expect(common.getHardforkBy({ blockNumber: 3n, timestamp: 0n })).to.equal("london");
    expect(common.getHardforkBy({ blockNumber: 4n, timestamp: 50n })).to.equal("mergeNetsplitBlock");
    expect(common.getHardforkBy({ blockNumber: 9n, timestamp: 250n })).to.equal("cancun");
    expect(common.getHardforkBy({ blockNumber: 9n, timestamp: 510n })).to.equal("bpo1");
  });

  it("takes each fork's blob schedule from blobSchedule, BPO forks included", () => {
    const { common } = convertGethGenesis(genesis());
    common.setHardfork("cancun");
    expect(common.getBlobGasSchedule().targetBlobGasPerBlock).to.equal(3n * 131072n);
    common.setHardfork("bpo1");
    const bpo1 = common.getBlobGasSchedule();
    expect(bpo1.targetBlobGasPerBlock).to.equal(10n * 131072n);
    expect(bpo1.maxBlobGasPerBlock).to.equal(15n * 131072n);
    expect(bpo1.blobGasPriceUpdateFraction).to.equal(8346193n);
  });

  it("builds a pre-London genesis block without a base fee, with the file's difficulty, nonce and extra data", async () => {
    const converted = convertGethGenesis(genesis());
    const chain = await Chain.create({
      genesis: converted.genesis,
      common: converted.common,
      createGenesisBlock: converted.createGenesisBlock,
      addSystemContracts: false,
    });
    const header = chain.head.header;
    expect(header.baseFeePerGas).to.equal(undefined);
    expect(header.difficulty).to.equal(0x20000n);
    expect(header.nonce).to.deep.equal(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x42]));
    expect(Buffer.from(header.extraData).toString("hex")).to.equal("1234");
    const account = Uint8Array.from(Buffer.from("0000000000000000000000000000000000000abc", "hex"));
    expect(await chain.getBalance(account)).to.equal(0x10n);
    expect(Buffer.from(await chain.getStorageAt(account, Uint8Array.from([1]))).toString("hex")).to.equal(
      "00".repeat(31) + "02",
    );
    // Only the file's allocation: no system contracts are added behind its back.
    expect(
      (await chain.getCode(Uint8Array.from(Buffer.from("000f3df6d732807ef1319fb7b8bb8522d0beac02", "hex")))).length,
    ).to.equal(0);
  });

  it("refuses what it cannot express: clique chains and a merge by total difficulty alone", () => {
    expect(() => convertGethGenesis(genesis({ clique: { period: 5, epoch: 30000 } }))).to.throw(
      GethGenesisError,
      /clique/,
    );
    expect(() =>
      convertGethGenesis(
        genesis({
          mergeNetsplitBlock: undefined,
          shanghaiTime: undefined,
          cancunTime: undefined,
          pragueTime: undefined,
          osakaTime: undefined,
          bpo1Time: undefined,
          blobSchedule: undefined,
        }),
      ),
    ).to.throw(GethGenesisError, /terminal total difficulty/);
  });
});
