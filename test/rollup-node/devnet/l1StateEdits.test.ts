import { expect } from "chai";
import { JsonRpcProvider, toBeHex, zeroPadValue } from "ethers";

import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";

// A contract that returns its own code size and storage slot 0: `eth_call` sees what the EVM
// executes, so it is the reading the others must agree with.
//   ADDRESS EXTCODESIZE PUSH0 MSTORE  PUSH0 SLOAD PUSH1 0x20 MSTORE  PUSH1 0x40 PUSH0 RETURN
const REPORTER = "0x303b5f525f5460205260405ff3";
const OTHER = "0x600160005260206000f3"; // returns 1

/** What each read method says of `address`, so that a disagreement shows as a diff. */
async function readings(provider: JsonRpcProvider, address: string) {
  // provider.send, not getCode & co.: ethers' AbstractProvider answers a repeated read from its own
  // 250 ms cache, which would hide what the devnet answers.
  const [code, slot0, balance, nonce, called] = (await Promise.all([
    provider.send("eth_getCode", [address, "latest"]),
    provider.send("eth_getStorageAt", [address, "0x0", "latest"]),
    provider.send("eth_getBalance", [address, "latest"]),
    provider.send("eth_getTransactionCount", [address, "latest"]),
    // eth_call runs the code the EVM sees: it returns nothing when there is none.
    provider.send("eth_call", [{ to: address, data: "0x" }, "latest"]),
  ])) as string[];
  return { code, slot0, balance: BigInt(balance), nonce: Number(nonce), called };
}

describe("L1 devnet: hardhat_set* edits are seen alike by getCode, eth_call, getStorageAt, getBalance and the nonce", function () {
  this.timeout(60_000);
  let devnet: L1Devnet;
  let provider: JsonRpcProvider;
  const address = "0x00000000000000000000000000000000000c0de1";

  before(async () => {
    devnet = await startL1Devnet({ port: 0 });
    provider = new JsonRpcProvider(devnet.url as string, undefined, { staticNetwork: true });
  });

  after(async () => {
    provider.destroy();
    await devnet.stop();
  });

  it("code set, read, then set to empty and to other code: every read follows", async () => {
    await provider.send("hardhat_setCode", [address, REPORTER]);
    await provider.send("hardhat_setStorageAt", [address, "0x0", zeroPadValue("0x2a", 32)]);
    const set = await readings(provider, address);
    expect(set.code).to.equal(REPORTER);
    expect(set.slot0).to.equal(zeroPadValue("0x2a", 32));
    expect(set.called).to.equal(
      `${zeroPadValue(toBeHex((REPORTER.length - 2) / 2), 32)}${zeroPadValue("0x2a", 32).slice(2)}`,
    );

    await provider.send("hardhat_setCode", [address, "0x"]);
    const emptied = await readings(provider, address);
    expect({ code: emptied.code, called: emptied.called }).to.deep.equal({ code: "0x", called: "0x" });
    // The storage stays (hardhat's setCode edits the code alone).
    expect(emptied.slot0).to.equal(zeroPadValue("0x2a", 32));

    await provider.send("hardhat_setCode", [address, OTHER]);
    const replaced = await readings(provider, address);
    expect({ code: replaced.code, called: replaced.called }).to.deep.equal({
      code: OTHER,
      called: zeroPadValue("0x01", 32),
    });

    await provider.send("hardhat_setCode", [address, REPORTER]);
    const back = await readings(provider, address);
    expect(back.code).to.equal(REPORTER);
  });

  it("setStorageAt, setBalance and setNonce after reads: getStorageAt, eth_call, getBalance and the nonce follow", async () => {
    await provider.send("hardhat_setCode", [address, REPORTER]);
    await readings(provider, address);
    await provider.send("hardhat_setStorageAt", [address, "0x0", zeroPadValue("0x07", 32)]);
    await provider.send("hardhat_setBalance", [address, "0x1234"]);
    await provider.send("hardhat_setNonce", [address, "0x9"]);
    const after = await readings(provider, address);
    expect(after.slot0).to.equal(zeroPadValue("0x07", 32));
    expect(after.called.slice(-64)).to.equal(zeroPadValue("0x07", 32).slice(2));
    expect(after.balance).to.equal(0x1234n);
    expect(after.nonce).to.equal(9);
    expect(after.code).to.equal(REPORTER);
    // And a mined block keeps the edits.
    await provider.send("evm_mine", []);
    expect(await readings(provider, address)).to.deep.equal(after);
  });
});
