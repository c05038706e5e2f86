import { toChecksumAddress } from "@ethereumjs/util";
import { expect } from "chai";

import { createL2Dispatcher } from "../../../rollup-node/l2/rpc";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import { TempDirs, openSequencer, signers } from "../l2/l2Support";

const TO = "0x00000000000000000000000000000000000000bb";

/** txpool_* on the L2 devnet (only it lists the pool's contents): geth's pending/queued split, checksummed senders, nonces as keys. */
describe("txpool_* views of the sequencer's pool", function () {
  this.timeout(60_000);
  const dirs = new TempDirs();
  let sequencer: Sequencer | undefined;

  afterEach(async () => {
    await sequencer?.close();
    dirs.removeAll();
  });

  it("splits each sender's transactions at its first nonce gap, and contentFrom answers one sender by any spelling", async () => {
    sequencer = await openSequencer(dirs.make());
    const dispatcher = createL2Dispatcher(sequencer, { devMethods: true }); // the listings are a devnet's
    const [a, b] = signers(2) as [ReturnType<typeof signers>[number], ReturnType<typeof signers>[number]];
    const a0 = a.tx({ to: TO, value: 1n });
    const a1 = a.tx({ to: TO, value: 1n });
    a.tx({ to: TO, value: 1n }); // nonce 2, never sent: a gap
    const a3 = a.tx({ to: TO, value: 1n });
    const b0 = b.tx({ to: TO, value: 1n });
    for (const tx of [a3, a1, b0, a0]) await sequencer.submitTransaction(tx);
    const status = (await dispatcher.call("txpool_status")) as { pending: string; queued: string };
    expect(status).to.deep.equal({ pending: "0x3", queued: "0x1" });
    const content = (await dispatcher.call("txpool_content")) as {
      pending: Record<string, Record<string, unknown>>;
      queued: Record<string, Record<string, unknown>>;
    };
    const A = toChecksumAddress(a.address.toString());
    const B = toChecksumAddress(b.address.toString());
    expect(Object.keys(content.pending).sort()).to.deep.equal([A, B].sort());
    expect(Object.keys(content.pending[A])).to.deep.equal(["0", "1"]);
    expect(Object.keys(content.pending[B])).to.deep.equal(["0"]);
    expect(Object.keys(content.queued)).to.deep.equal([A]);
    expect(Object.keys(content.queued[A])).to.deep.equal(["3"]);
    const from = (await dispatcher.call("txpool_contentFrom", [A.toUpperCase().replace("0X", "0x")])) as {
      pending: Record<string, unknown>;
      queued: Record<string, unknown>;
    };
    expect(Object.keys(from.pending)).to.deep.equal(["0", "1"]);
    expect(Object.keys(from.queued)).to.deep.equal(["3"]);
    expect(await dispatcher.call("txpool_contentFrom", [TO])).to.deep.equal({ pending: {}, queued: {} });
  });
});
