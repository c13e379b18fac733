// The pages a person sees when opening an activation link in a browser: one with a single button
// that downloads the .share profile (and so spends the link), and a plain one for a link that is
// spent, expired or not allowed from here. Self-contained: no script, no external asset, one inline
// style admitted by its hash in a Content-Security-Policy that allows nothing else.
import { createHash } from "node:crypto";

const style = [
  "body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}",
  "h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}",
  "pre{background:#f3f3f3;padding:.6rem;overflow-x:auto;font-size:.85rem}",
  "button{font-size:1.05rem;padding:.6rem 1.2rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;cursor:pointer}",
  ".note{color:#555;font-size:.9rem}",
].join("");
const styleHash = createHash("sha256").update(style, "utf8").digest("base64");

/** Headers every activation page goes out with. */
export const pageHeaders: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": `default-src 'none'; style-src 'sha256-${styleHash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${style}</style></head>
<body>${body}</body></html>
`;
}

export interface OfferDetails {
  recipient: string;
  expiresAt: string;
  profileFile: string;
}

/** The offer: what the file is, the one button that downloads it, and how to use it. */
export function offerPage(details: OfferDetails): string {
  const file = escapeHtml(details.profileFile);
  return page(
    "Delta Sharing access",
    `<h1>Delta Sharing access for ${escapeHtml(details.recipient)}</h1>
<p>This link gives you a credential file (<code>${file}</code>) for reading the data shared with you.
It works <strong>once</strong>: the file is shown to no one after you download it, so keep it safe
and do not forward it. The link expires at ${escapeHtml(details.expiresAt)}.</p>
<form method="post"><button type="submit" id="download">Download the credential file</button></form>
<h2>pandas</h2>
<pre>pip install delta-sharing
import delta_sharing
client = delta_sharing.SharingClient("${file}")
print(client.list_all_tables())
df = delta_sharing.load_as_pandas("${file}#&lt;share&gt;.&lt;schema&gt;.&lt;table&gt;")</pre>
<h2>Apache Spark</h2>
<pre>spark-shell --packages io.delta:delta-sharing-spark_2.13:&lt;your Delta version&gt;
spark.read.format("deltaSharing").load("${file}#&lt;share&gt;.&lt;schema&gt;.&lt;table&gt;")</pre>
<h2>BI tools</h2>
<p>Power BI, Tableau and other tools with a Delta Sharing connector ask for the
<em>endpoint</em> and the <em>bearer token</em>: both are in the downloaded file (open it in a text
editor), or give the tool the file itself where it accepts one.</p>
<p class="note">The file holds a secret token. Whoever has the file can read the shared data.</p>`,
  );
}

export type RefusalReason = "spent" | "expired" | "address";

const refusals: Record<RefusalReason, string> = {
  spent: "This activation link has already been used, or it is not valid.",
  expired: "This activation link has expired.",
  address: "This activation link cannot be used from your network address.",
};

/** A plain page saying why the link gives nothing, and whom to ask for a new one. */
export function refusalPage(reason: RefusalReason, contact: string | undefined): string {
  const ask = contact
    ? `Ask ${escapeHtml(contact)} for a new link.`
    : "Ask the person who sent it to you for a new link.";
  return page("Activation link not usable", `<h1>${refusals[reason]}</h1>\n<p>${ask}</p>`);
}
