import { expect } from "chai";
import { JsonRpcProvider, toBeHex } from "ethers";

import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";

const SENDER = "0xc000000000000000000000000000000000000000";
const FUNDS = { balance: toBeHex(10n ** 18n) };
const MAX_NONCE = "0xffffffffffffffff";

/** Runtime code calling `target` (STATICCALL, no input, all gas) and stopping. */
function staticCaller(target: string): string {
  return `0x5f5f5f5f73${target.slice(2)}5afa5000`;
}

/** Runtime code CALLing `target` (no value, no input), then emitting one LOG0, then stopping. */
function callThenLog(target: string): string {
  return `0x5f5f5f5f5f73${target.slice(2)}5af1505f5fa000`;
}

/** PUSH0 PUSH0 LOG0 PUSH0 PUSH0 REVERT: emits a log, then reverts it. */
const LOG_THEN_REVERT = "0x5f5fa05f5ffd";
/** LOG0 over 16 MB of memory: runs out of gas in the LOG itself, before the log is emitted. */
const LOG_OUT_OF_GAS = "0x62ffffff5fa000";
/** Returns BLOBBASEFEE as a 32-byte word. */
const RETURN_BLOB_BASE_FEE = "0x4a5f5260205ff3";

/** The message of the error a request fails with (fails the test if it succeeds). */
async function failureOf(request: Promise<unknown>): Promise<string> {
  try {
    await request;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the request succeeded");
}

interface SimCall {
  status: string;
  gasUsed: string;
  returnData: string;
  logs: { logIndex: string }[];
  error?: { code: number; message: string };
}
interface SimBlock {
  calls: SimCall[];
  excessBlobGas?: string;
  blobGasUsed?: string;
  transactions: ({ nonce: string } | string)[];
}

describe("eth_simulateV1 (geth's simulator semantics)", () => {
  let devnet: L1Devnet;
  let provider: JsonRpcProvider;

  before(async () => {
    devnet = await startL1Devnet({ port: 0 });
    provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });

  after(async () => {
    provider.destroy();
    await devnet.stop();
  });

  const simulate = (params: object): Promise<SimBlock[]> => provider.send("eth_simulateV1", [params, "latest"]);

  describe("sender nonce at 2^64-1", () => {
    const blockStateCalls = [
      {
        stateOverrides: { [SENDER]: { nonce: MAX_NONCE } },
        calls: [
          { from: SENDER, to: "0xc100000000000000000000000000000000000000" },
          { from: SENDER, to: "0xc100000000000000000000000000000000000000" },
        ],
      },
    ];

    it("runs the call without validation and wraps the sender's nonce to 0 (a uint64, as in geth)", async () => {
      const [block] = await simulate({ blockStateCalls, returnFullTransactions: true });
      expect(block!.calls.map((c) => c.status)).to.deep.equal(["0x1", "0x1"]);
      expect(block!.transactions.map((t) => (t as { nonce: string }).nonce)).to.deep.equal([MAX_NONCE, "0x0"]);
    });

    it("refuses it with validation: the nonce has its maximum value", async () => {
      expect(await failureOf(simulate({ blockStateCalls, validation: true }))).to.match(/nonce has max value/);
    });
  });

  describe("moved precompiles and EIP-2929", () => {
    const CALLER = "0xc200000000000000000000000000000000000000";
    const MOVED_TO = "0x0000000000000000000000000000000000123456";
    const ECRECOVER = "0x0000000000000000000000000000000000000001";

    async function gasOf(target: string, move: boolean): Promise<bigint> {
      const [block] = await simulate({
        blockStateCalls: [
          {
            stateOverrides: {
              [CALLER]: { code: staticCaller(target) },
              ...(move ? { [ECRECOVER]: { movePrecompileToAddress: MOVED_TO } } : {}),
            },
            calls: [{ from: SENDER, to: CALLER }],
          },
        ],
      });
      expect(block!.calls[0]!.status).to.equal("0x1");
      return BigInt(block!.calls[0]!.gasUsed);
    }

    it("treats the new address as cold: calling it costs 2,500 more than the unmoved precompile", async () => {
      expect((await gasOf(MOVED_TO, true)) - (await gasOf(ECRECOVER, false))).to.equal(2500n);
    });

    it("keeps the old address warm although it has no precompile any more", async () => {
      const untouched = "0x000000000000000000000000000000000000dead";
      expect((await gasOf(untouched, true)) - (await gasOf(ECRECOVER, true))).to.equal(2500n);
    });
  });

  describe("blob calls", () => {
    const READER = "0xc300000000000000000000000000000000000000";
    const blobCall = {
      from: SENDER,
      to: READER,
      maxFeePerGas: "0x10",
      maxFeePerBlobGas: "0xa",
      blobVersionedHashes: ["0x010657f37554c781402a22917dee2f75def7ab966d7b770905398eba3c444014"],
    };

    it("runs a blob call at the overridden blob base fee, counting its blob gas, without changing the header's excess blob gas", async () => {
      const blocks = await simulate({
        validation: true,
        blockStateCalls: [
          {
            blockOverrides: { baseFeePerGas: "0x1", blobBaseFee: "0x7" },
            stateOverrides: { [SENDER]: FUNDS, [READER]: { code: RETURN_BLOB_BASE_FEE } },
            calls: [blobCall],
          },
          { blockOverrides: { baseFeePerGas: "0x1" }, calls: [blobCall] },
        ],
      });
      expect(blocks[0]!.calls[0]!.status).to.equal("0x1");
      expect(BigInt(blocks[0]!.calls[0]!.returnData)).to.equal(7n);
      expect(BigInt(blocks[0]!.blobGasUsed!)).to.equal(131072n);
      expect(blocks[0]!.excessBlobGas).to.equal(blocks[1]!.excessBlobGas);
      // Without an override the block's own blob base fee applies (1 at no excess blob gas).
      expect(BigInt(blocks[1]!.calls[0]!.returnData)).to.equal(1n);
    });

    it("refuses, with validation, a blob call whose blob fee cap is below the overridden blob base fee", async () => {
      const failure = failureOf(
        simulate({
          validation: true,
          blockStateCalls: [
            {
              blockOverrides: { baseFeePerGas: "0x1", blobBaseFee: "0xb" },
              stateOverrides: { [SENDER]: FUNDS, [READER]: { code: RETURN_BLOB_BASE_FEE } },
              calls: [blobCall],
            },
          ],
        }),
      );
      expect(await failure).to.match(/max fee per blob gas less than block blob gas fee/);
    });
  });

  describe("log numbering", () => {
    const OUTER = "0xc400000000000000000000000000000000000000";
    const REVERTER = "0xc500000000000000000000000000000000000000";
    const OUTER_OOG = "0xc600000000000000000000000000000000000000";
    const OUT_OF_GAS = "0xc700000000000000000000000000000000000000";

    it("numbers logs among all the block's emitted logs, those of reverted frames included, as geth does", async () => {
      const [block] = await simulate({
        blockStateCalls: [
          {
            stateOverrides: { [OUTER]: { code: callThenLog(REVERTER) }, [REVERTER]: { code: LOG_THEN_REVERT } },
            calls: [
              { from: SENDER, to: OUTER },
              { from: SENDER, to: REVERTER },
              { from: SENDER, to: OUTER },
            ],
          },
        ],
      });
      expect(block!.calls.map((c) => c.logs.map((l) => l.logIndex))).to.deep.equal([["0x1"], [], ["0x4"]]);
    });

    it("does not count a LOG that runs out of gas before emitting", async () => {
      const [block] = await simulate({
        blockStateCalls: [
          {
            stateOverrides: { [OUTER_OOG]: { code: callThenLog(OUT_OF_GAS) }, [OUT_OF_GAS]: { code: LOG_OUT_OF_GAS } },
            calls: [{ from: SENDER, to: OUTER_OOG }],
          },
        ],
      });
      expect(block!.calls[0]!.logs.map((l) => l.logIndex)).to.deep.equal(["0x0"]);
    });
  });
});
