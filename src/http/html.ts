/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A small self-contained HTML page (no external resources). `bodyHtml` must be escaped already. */
export function page(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Gatehouse</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}code{background:#f3f3f3;padding:0 .3em;border-radius:3px}.muted{color:#777;font-size:.85rem}
a.button,button{display:inline-block;background:#1f5fbf;color:#fff;border:0;border-radius:4px;padding:.5rem 1rem;text-decoration:none;font-size:1rem;cursor:pointer}
input{font-size:1.1rem;padding:.4rem;width:12rem}.error{color:#b00020}</style>
</head><body>
${bodyHtml}
</body></html>
`;
}
