/** Messages between `AttesterPool` and `attesterProcess.ts` (JSON over Node's IPC channel). */

export interface AttestRequest {
  readonly id: number;
  readonly chainId: string;
  readonly parentHeader: string;
  readonly block: string;
  readonly witness: string;
}

export type AttestResponse =
  | { readonly id: 0; readonly ok: true; readonly ready: true; readonly publicKey: readonly [string, string] }
  | {
      readonly id: number;
      readonly ok: true;
      readonly memberIndex: number;
      readonly R8: readonly [string, string];
      readonly S: string;
      readonly commitment: string;
    }
  | { readonly id: number; readonly ok: false; readonly code: number | undefined; readonly reason: string };
