/** Gateway API release channel. */
export enum GatewayApiChannel {
  /** GA and beta resources only. */
  STANDARD = 'standard',
  /** Standard plus experimental resources and versions (e.g. TLSRoute v1alpha2 before v1.5). */
  EXPERIMENTAL = 'experimental',
}
