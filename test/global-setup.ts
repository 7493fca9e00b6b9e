/** @module vitest global setup (placeholder until the Temporal binary resolver lands). */
export default function setup(): void {}
