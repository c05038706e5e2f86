// The slice of ffjavascript (snarkjs' field and curve library, untyped) this project uses.
declare module "ffjavascript" {
  export interface CurvePoint {
    readonly __curvePoint: unique symbol;
  }
  export interface CurveGroup {
    fromObject(coordinates: readonly unknown[]): CurvePoint;
    isValid(point: CurvePoint): boolean;
    add(a: CurvePoint, b: CurvePoint): CurvePoint;
    neg(a: CurvePoint): CurvePoint;
    timesScalar(a: CurvePoint, scalar: Uint8Array): CurvePoint;
  }
  export interface Bn128 {
    readonly G1: CurveGroup;
    readonly G2: CurveGroup;
    readonly r: bigint;
    pairingEq(...points: CurvePoint[]): Promise<boolean>;
    terminate(): Promise<void>;
  }
  export function buildBn128(singleThread?: boolean): Promise<Bn128>;
}
