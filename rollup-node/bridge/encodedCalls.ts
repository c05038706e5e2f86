// A contract function called with calldata encoded once. ethers' contract methods encode their
// arguments at every call: an `advance` was encoded for its gas derivation, again for its
// simulation or estimate, and again to send (12 CPU ms each with a 32 KiB witness, 64 at 128 KiB:
// docs/design/fast-tests.md, round 30c). These calls take the encoded bytes instead and make the
// requests the contract's methods make: the same fields, through the same signer, and a revert
// of the simulation decoded by the contract's interface as its `staticCall` decodes it.
import { type BaseContract, type Signer, type TransactionResponse, isCallException } from "ethers";

/** A contract's calls (simulation, estimate, send) with calldata encoded by the caller. */
export class EncodedCalls {
  constructor(
    private readonly contract: BaseContract,
    private readonly signer: Signer,
  ) {}

  /** As the contract method's `staticCall` at `blockTag`, its result unread (a revert throws the decoded error). */
  async simulate(data: string, gasLimit: bigint, blockTag: string): Promise<void> {
    const tx = { to: await this.contract.getAddress(), data, gasLimit, blockTag };
    try {
      await this.signer.call(tx);
    } catch (error) {
      if (isCallException(error) && error.data) throw this.contract.interface.makeError(error.data, tx);
      throw error;
    }
  }

  /** As the contract method's `estimateGas`. */
  async estimate(data: string, gasLimit: bigint): Promise<bigint> {
    return this.signer.estimateGas({ to: await this.contract.getAddress(), data, gasLimit });
  }

  /** As the contract method's send: the signer populates (nonce, fees), signs and broadcasts. */
  async send(data: string, gasLimit: bigint): Promise<TransactionResponse> {
    return this.signer.sendTransaction({ to: await this.contract.getAddress(), data, gasLimit });
  }
}
