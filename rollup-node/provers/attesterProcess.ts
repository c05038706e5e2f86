/**
 * One attester as its own OS process. It holds one Baby Jubjub key, receives L2 blocks over
 * IPC, re-executes each with `verifyBlock`, and answers with a signature only if it verifies.
 * Started by `AttesterPool`; argv[2] is the hex private key, argv[3] the member index, argv[4]
 * the L1's fork rules as JSON (`ForkConfig`), under which it re-executes as EXECUTE does.
 */
import { getBytes } from "ethers";

import { ExecuteError } from "../../precompiles";
import { attestBlock } from "./attester";
import { AttesterKey, loadBabyJub } from "./committee";
import { type AttestRequest, type AttestResponse, type ForkConfig, commonOfForkConfig } from "./attesterProtocol";

async function main(): Promise<void> {
  const [privateKeyHex, memberIndexText, forkJson] = process.argv.slice(2);
  const memberIndex = Number(memberIndexText);
  const common = commonOfForkConfig(JSON.parse(forkJson) as ForkConfig);
  const key = new AttesterKey(await loadBabyJub(), getBytes(privateKeyHex));
  process.on("message", (request: AttestRequest) => {
    const block = { chainId: BigInt(request.chainId), common, parentHeader: getBytes(request.parentHeader), block: getBytes(request.block), witness: getBytes(request.witness) };
    attestBlock(key, memberIndex, block).then(
      ({ attestation, commitment }) =>
        send({ id: request.id, ok: true, memberIndex, R8: [attestation.R8[0].toString(), attestation.R8[1].toString()], S: attestation.S.toString(), commitment: commitment.toString() }),
      (error: unknown) => send({ id: request.id, ok: false, code: error instanceof ExecuteError ? error.code : undefined, reason: (error as Error).message }),
    );
  });
  send({ id: 0, ok: true, ready: true, publicKey: key.publicKey.map(String) as [string, string] });
  // The parent pool closes the IPC channel to stop the attester.
  process.on("disconnect", () => process.exit(0));
}

function send(response: AttestResponse): void {
  process.send?.(response);
}

main().catch((error) => {
  process.stderr.write(`attester failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
