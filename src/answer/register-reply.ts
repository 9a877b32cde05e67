/** The register's raw reply; verified and normalized by the instance that waits for it. */
export interface RegisterReply {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}
