pragma circom 2.2.3;

include "committeeAttestation.circom";

// The bundled proof type: 3 signatures from a committee of up to 8 (Merkle depth 3).
component main {public [committeeRoot, commitment]} = CommitteeAttestation(3, 3);
