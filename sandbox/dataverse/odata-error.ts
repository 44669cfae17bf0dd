/**
 * Errors the sandbox answers with, in the Web API's shape: HTTP status + `{ error: { code, message } }`.
 * The codes are Dataverse's own hexadecimal error codes, so a client that branches on them (as the
 * backend does for "not found" and "precondition failed") behaves as it would against a real org.
 */

/** Dataverse error codes used by the sandbox (hex strings as the Web API sends them). */
export const ErrorCode = {
  /** Record does not exist. */
  ObjectDoesNotExist: "0x80040217",
  /** Resource segment (entity set, action) unknown. */
  ResourceNotFound: "0x8006088a",
  /** Property unknown on the entity type (payload, $select, $filter, $orderby). */
  UnknownProperty: "0x80060888",
  /** If-Match etag does not match the record's version. */
  ConcurrencyVersionMismatch: "0x80060882",
  /** If-None-Match: * on an existing record, or a create with an id that already exists. */
  DuplicateRecord: "0x80040237",
  /** Value of the wrong type in the payload. */
  PayloadError: "0x80048d19",
  /** Option value not in the column's option set, or a number outside the column's range. */
  OptionValueOutOfRange: "0x8004431a",
  ValueOutOfRange: "0x8004431a",
  /** A body without Content-Type: application/json. */
  UnsupportedMediaType: "0x80048d19",
  /** Text longer than the column's maximum length. */
  TextTooLong: "0x80044331",
  /** Invalid argument (e.g. closing an opportunity by PATCHing statecode). */
  InvalidArgument: "0x80040203",
  /** Malformed query option. */
  QuerySyntax: "0x0",
  /** The caller's roles lack the privilege the request needs (SecLib::CheckPrivilege). */
  MissingPrivilege: "0x80040220",
  /** Service protection limit hit. */
  Throttled: "0x80072322",
  /** Generic server error. */
  ServerError: "0x80040216",
  /** Import file could not be read. */
  ImportFileInvalid: "0x80048060",
} as const;

export class ODataError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ODataError";
  }

  toBody(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const notFound = (logicalName: string, id: string) =>
  new ODataError(404, ErrorCode.ObjectDoesNotExist, `Entity '${logicalName}' With Id = ${id} Does Not Exist`);

export const unknownSegment = (segment: string) =>
  new ODataError(404, ErrorCode.ResourceNotFound, `Resource not found for the segment '${segment}'.`);

/** The error for an unknown property named in a query option ($select, $filter, $orderby, $expand). */
export const unknownQueryProperty = (property: string, logicalName: string) =>
  new ODataError(400, ErrorCode.UnknownProperty, `Could not find a property named '${property}' on type 'Microsoft.Dynamics.CRM.${logicalName}'.`);

/** The error for an unknown property in a create/update payload. */
export const unknownPayloadProperty = (property: string, logicalName: string) =>
  new ODataError(
    400,
    ErrorCode.UnknownProperty,
    `The property '${property}' does not exist on type 'Microsoft.Dynamics.CRM.${logicalName}'. ` +
      "Make sure to only use property names that are defined by the type or mark the type as open type.",
  );

export const badQuery = (message: string) => new ODataError(400, ErrorCode.QuerySyntax, message);

export const payloadError = (entitySetName: string, inner: string) =>
  new ODataError(
    400,
    ErrorCode.PayloadError,
    `Error identified in Payload provided by the user for Entity :'${entitySetName}', For more information on this error please follow this help link ` +
      `https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : Microsoft.OData.ODataException: ${inner}`,
  );
