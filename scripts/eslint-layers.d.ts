// Types of eslint-layers.js (plain JS, as eslint.config.js loads it), for the architecture test.
export declare const LAYERS: readonly (readonly string[])[];
export declare const BASE: readonly string[];
export declare const ROOT: string;
export declare const IMPLEMENTATIONS: readonly string[];
export declare const PURE: readonly string[];
export declare function refusal(importer: string, imported: string, typeOnly?: boolean): string | undefined;
export declare const layersPlugin: { rules: Record<string, unknown> };
