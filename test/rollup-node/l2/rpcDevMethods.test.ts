import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { startL2Rpc } from "../../../rollup-node/l2/rpc";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { RpcServer } from "../../../rollup-node/rpc/server";
import { L2_CHAIN_ID, TempDirs, openSequencer } from "./l2Support";

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

  async function withRpc(options: { devMethods?: boolean }, use: (provider: JsonRpcProvider) => Promise<void>): Promise<void> {
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

  it("a devnet serves evm_mine", async () => {
    await withRpc({ devMethods: true }, async (provider) => {
      const before = sequencer.chain.headNumber;
      await provider.send("evm_mine", []);
      expect(sequencer.chain.headNumber).to.equal(before + 1n);
    });
  });
});
