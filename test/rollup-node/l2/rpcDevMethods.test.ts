import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { startL2Rpc } from "../../../rollup-node/l2/rpc";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { RpcServer } from "../../../rollup-node/rpc/server";
import { L2_CHAIN_ID, TempDirs, openSequencer, signers } from "./l2Support";

describe("L2 JSON-RPC dev methods: only on a devnet", function () {
  this.timeout(20_000);
  const dirs = new TempDirs();
  let sequencer: Sequencer;

  before(async () => {
    sequencer = await openSequencer(dirs.make(), { now: undefined });
  });

  after(async () => {
    await sequencer.close();
    dirs.removeAll();
  });

  async function withRpc(
    options: { devMethods?: boolean; automine?: boolean },
    use: (provider: JsonRpcProvider) => Promise<void>,
  ): Promise<void> {
    const server: RpcServer = await startL2Rpc(sequencer, { port: 0, ...options });
    const provider = new JsonRpcProvider(server.url, Number(L2_CHAIN_ID), { staticNetwork: true });
    try {
      await use(provider);
    } finally {
      provider.destroy();
      await server.close();
    }
  }

  it("a node not run as a devnet refuses evm_mine (each block would cost the sequencer an L1 advance)", async () => {
    await withRpc({}, async (provider) => {
      const before = sequencer.chain.headNumber;
      for (let i = 0; i < 3; i++) {
        const error = await provider.send("evm_mine", []).then(
          () => undefined,
          (e: { error?: { code: number }; info?: { error?: { code: number } } }) => e,
        );
        expect(error?.error?.code ?? error?.info?.error?.code, "evm_mine was served").to.equal(-32601);
      }
      expect(sequencer.chain.headNumber).to.equal(before);
    });
  });

  it("a node not run as a devnet refuses automine and the mine methods too", async () => {
    await withRpc({ automine: true }, async (provider) => {
      for (const [method, params] of [
        ["evm_setAutomine", [true]],
        ["hardhat_mine", ["0x2"]],
        ["anvil_mine", []],
        ["anvil_setAutomine", [true]],
      ] as const) {
        const error = await provider.send(method, [...params]).then(
          () => undefined,
          (e: { error?: { code: number }; info?: { error?: { code: number } } }) => e,
        );
        expect(error?.error?.code ?? error?.info?.error?.code, `${method} was served`).to.equal(-32601);
      }
      // automine asked for, but no dev methods: a transaction waits for the sequencer as usual.
      const before = sequencer.chain.headNumber;
      const [alice] = signers(1);
      await provider.send("eth_sendRawTransaction", [
        `0x${Buffer.from(alice.tx({ to: `0x${"77".repeat(20)}`, value: 1n }).serialize()).toString("hex")}`,
      ]);
      expect(sequencer.chain.headNumber).to.equal(before);
      await sequencer.produceBlock({});
    });
  });

  it("a node not run as a devnet counts its pool for anyone but lists no pooled transaction (a reader could front-run what waits); a devnet lists them", async () => {
    const alice = signers(5)[4]; // a sender no other test of this file uses: its first nonce
    const raw = `0x${Buffer.from(alice.tx({ to: `0x${"78".repeat(20)}`, value: 1n }).serialize()).toString("hex")}`;
    await withRpc({}, async (provider) => {
      await provider.send("eth_sendRawTransaction", [raw]);
      const status = (await provider.send("txpool_status", [])) as { pending: string };
      expect(BigInt(status.pending)).to.equal(1n);
      for (const [method, params] of [
        ["txpool_content", []],
        ["txpool_contentFrom", [alice.address.toString()]],
      ] as const) {
        const error = await provider.send(method, [...params]).then(
          () => undefined,
          (e: { error?: { code: number }; info?: { error?: { code: number } } }) => e,
        );
        expect(error?.error?.code ?? error?.info?.error?.code, `${method} was served`).to.equal(-32601);
      }
    });
    await withRpc({ devMethods: true }, async (provider) => {
      const content = (await provider.send("txpool_content", [])) as { pending: Record<string, unknown> };
      expect(Object.keys(content.pending)).to.have.length(1);
    });
    await sequencer.produceBlock({});
  });

  it("a devnet with automine mines each transaction's block before eth_sendRawTransaction returns; evm_setAutomine turns it off and on", async () => {
    await withRpc({ devMethods: true, automine: true }, async (provider) => {
      const [, bob] = signers(2);
      const send = async (): Promise<string> =>
        provider.send("eth_sendRawTransaction", [
          `0x${Buffer.from(bob.tx({ to: `0x${"78".repeat(20)}`, value: 1n }).serialize()).toString("hex")}`,
        ]);
      expect(await provider.send("hardhat_getAutomine", [])).to.equal(true);
      const before = sequencer.chain.headNumber;
      const hash = await send();
      expect(sequencer.chain.headNumber).to.equal(before + 1n);
      expect((await provider.getTransactionReceipt(hash))?.blockNumber).to.equal(Number(before + 1n));

      expect(await provider.send("evm_setAutomine", [false])).to.equal(true);
      expect(await provider.send("anvil_getAutomine", [])).to.equal(false);
      await send();
      expect(sequencer.chain.headNumber).to.equal(before + 1n);
      await provider.send("anvil_mine", []);
      expect(sequencer.chain.headNumber).to.equal(before + 2n);
      await provider.send("hardhat_mine", ["0x2"]);
      expect(sequencer.chain.headNumber).to.equal(before + 4n);
      const tooMany = await provider.send("hardhat_mine", ["0x65"]).then(
        () => undefined,
        (e: { error?: { message: string }; info?: { error?: { message: string } } }) => e,
      );
      expect(tooMany?.error?.message ?? tooMany?.info?.error?.message).to.contain("at most 100 per call on the L2");
    });
  });

  it("a devnet serves evm_mine", async () => {
    await withRpc({ devMethods: true }, async (provider) => {
      const before = sequencer.chain.headNumber;
      await provider.send("evm_mine", []);
      expect(sequencer.chain.headNumber).to.equal(before + 1n);
    });
  });
});
