import DOMPurify from 'dompurify';
import { Marked } from 'marked';

/**
 * Task descriptions as markdown, rendered so that nothing in one can run: raw HTML in the text is
 * shown as text (escaped by the renderer), and the HTML markdown makes is then sanitised by
 * DOMPurify (no scripts, event handlers or `javascript:` links), in case a future markdown feature
 * lets something through.
 */

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});

let hooked = false;

/** Links open in a new tab without handing the page to it. */
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.getAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

export function renderMarkdown(text: string): string {
  hookLinks();
  const html = marked.parse(text) as string;
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'button'] });
}
