#!/usr/bin/env bash
# Builds the bundled attestation circuit and its Groth16 keys, reproducibly and offline.
#
# The "ceremony" is single-party and deterministic: both phases use snarkjs' beacon with the
# public constants below instead of secret randomness. Anyone can regenerate identical keys,
# and anyone can therefore forge proofs: a DEVELOPMENT setup, unfit for production.
#
# Phase-2 preparation dominates (about 8 minutes for 2^14 on 2 cores); run it once and commit
# circuits/build/. CI never runs this script.
set -euo pipefail
cd "$(dirname "$0")/.."

CIRCUIT=committee3of8
POWER=14
BEACON_PHASE1=6e61746976652d726f6c6c75702d706861736531  # "native-rollup-phase1"
BEACON_PHASE2=6e61746976652d726f6c6c75702d706861736532  # "native-rollup-phase2"
BUILD=circuits/build
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SNARKJS="node node_modules/snarkjs/build/cli.cjs"

mkdir -p "$BUILD"
npx circom2 "circuits/src/$CIRCUIT.circom" --r1cs --wasm --O2 -l node_modules -o "$WORK"
cp "$WORK/${CIRCUIT}_js/$CIRCUIT.wasm" "$BUILD/$CIRCUIT.wasm"

$SNARKJS powersoftau new bn128 "$POWER" "$WORK/pot_0.ptau"
$SNARKJS powersoftau beacon "$WORK/pot_0.ptau" "$WORK/pot_beacon.ptau" "$BEACON_PHASE1" 10 -n="native-rollup phase 1 beacon"
$SNARKJS powersoftau prepare phase2 "$WORK/pot_beacon.ptau" "$WORK/pot_final.ptau"
$SNARKJS groth16 setup "$WORK/$CIRCUIT.r1cs" "$WORK/pot_final.ptau" "$WORK/${CIRCUIT}_0.zkey"
$SNARKJS zkey beacon "$WORK/${CIRCUIT}_0.zkey" "$BUILD/$CIRCUIT.zkey" "$BEACON_PHASE2" 10 -n="native-rollup phase 2 beacon"
$SNARKJS zkey export verificationkey "$BUILD/$CIRCUIT.zkey" "$BUILD/$CIRCUIT.vkey.json"
echo "wrote $BUILD/$CIRCUIT.{wasm,zkey,vkey.json}"
