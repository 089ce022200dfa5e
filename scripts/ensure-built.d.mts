/** Types of ensure-built.mjs (a plain script, so `npm start` needs no compiler). */
export declare const BUILD_OUTPUTS: readonly string[];
export declare function buildInputs(root: string): string[];
export declare function inputsDigest(root: string): string;
export declare function writeStamp(root: string, digest?: string): void;
export declare function staleReason(root: string): string | null;
