import type { KZG } from "@ethereumjs/util";
import { expect } from "chai";

import { createChainCommon } from "../../rollup-node/chain/genesis";
import { LazyKzg, SHARED_KZG, loadMicroEthKzg } from "../../precompiles/kzg";

const ZERO_BLOB = `0x${"00".repeat(131_072)}`;
/** The commitment to the zero polynomial: the compressed point at infinity. */
const INFINITY = `0xc0${"00".repeat(47)}`;

describe("LazyKzg", () => {
  it("loads the trusted setup on first use only, and once", () => {
    let loads = 0;
    const kzg = new LazyKzg((): KZG => {
      loads++;
      return loadMicroEthKzg();
    });
    expect(kzg.loaded).to.equal(false);
    expect(loads).to.equal(0);
    expect(kzg.blobToKzgCommitment(ZERO_BLOB)).to.equal(INFINITY);
    expect(kzg.verifyBlobProofBatch([ZERO_BLOB], [INFINITY], [INFINITY])).to.equal(true);
    expect(loads).to.equal(1);
    expect(kzg.loaded).to.equal(true);
  });

  it("is the KZG of every chain Common, so blob transactions decode on any chain", () => {
    expect(createChainCommon(1337n).customCrypto.kzg).to.equal(SHARED_KZG);
    expect(createChainCommon(1337n, "prague").customCrypto.kzg).to.equal(SHARED_KZG);
  });
});
