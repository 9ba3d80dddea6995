// The part of @noble/curves' interface (noble-curves.js beside this file)
// that the site uses, for the type check (tsconfig.json): the bundle itself
// is not checked, its own types being those of the package.

/** A point on a curve, as the signature schemes hand it around. */
export interface CurvePoint {
  toBytes(compressed?: boolean): Uint8Array;
}

/** BLS with signatures on G1 and public keys on G2 (drand's quicknet). */
export interface ShortSignatures {
  hash(message: Uint8Array, DST?: string | Uint8Array): CurvePoint;
  verify(signature: CurvePoint | Uint8Array, message: CurvePoint, publicKey: CurvePoint | Uint8Array): boolean;
}

export declare const bls12_381: {
  shortSignatures: ShortSignatures;
};

export declare const ed25519: {
  /** `zip215: false` checks as RFC 8032 does (strict); true (the default) as ZIP 215. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, options?: { zip215?: boolean }): boolean;
};
