/**
 * Where to fetch the next page a list response points at. Partner Center's documented samples give
 * `"@odata.nextLink": "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=…"`: plain http and
 * another path than the request's. The link is followed on the configured host only, with the
 * configured scheme (so https in production), and the bearer token never goes anywhere else.
 */
import { PartnerCenterError } from "./partner-center-error";

const DEFAULT_PORTS: Readonly<Record<string, string>> = { "http:": "80", "https:": "443" };

function explicitPort(url: URL): string {
  return url.port || DEFAULT_PORTS[url.protocol] || "";
}

/** The URL to request for `link`, on `baseUrl`'s origin; throws when the link names another host. */
export function followableNextLink(link: string, baseUrl: string): string {
  const base = new URL(baseUrl);
  let next: URL;
  try {
    next = new URL(link, base);
  } catch (cause) {
    throw new PartnerCenterError(`Partner Center's next-page link is not a URL: ${link}`, { status: 0, code: "invalidResponse", retryable: false, cause });
  }
  // A scheme change moves the default port with it (http:80 → https:443): only an explicit,
  // different port marks another service.
  const samePort = next.port === "" || explicitPort(next) === explicitPort(base);
  if (next.hostname.toLowerCase() !== base.hostname.toLowerCase() || !samePort || !/^https?:$/.test(next.protocol)) {
    throw new PartnerCenterError(`Refusing to follow the next-page link ${next.origin}${next.pathname}: it is not on ${base.origin}, and the sign-in token goes nowhere else`, {
      status: 0,
      code: "invalidResponse",
      retryable: false,
      url: link,
    });
  }
  return `${base.origin}${next.pathname}${next.search}`;
}
