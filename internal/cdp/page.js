(() => {
  if (window.__mcp && window.__mcp.v === 1) return window.__mcp;
  const topw = window;
  const docs = () => {
    const out = [];
    const add = (doc, frame) => {
      out.push({ doc, frame });
      for (const f of doc.querySelectorAll('iframe,frame')) {
        try { if (f.contentDocument && f.contentDocument.documentElement) add(f.contentDocument, f); } catch (e) {}
      }
    };
    add(document, null);
    return out;
  };
  const clip = (s, n) => { s = (s || '').replace(/\s+/g, ' ').trim(); return s.length > n ? s.slice(0, n - 1) + '…' : s; };
  const q = s => JSON.stringify(s);
  const visible = el => {
    const w = el.ownerDocument.defaultView;
    const st = w.getComputedStyle(el);
    if (st.visibility === 'hidden' || st.display === 'none' || st.opacity === '0') return false;
    if (el.tagName === 'INPUT' && el.type === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 || st.display === 'contents';
  };
  const INTERACTIVE = 'a[href],button,input,select,textarea,summary,[role=button],[role=link],[role=checkbox],[role=radio],[role=tab],[role=menuitem],[role=option],[contenteditable=""],[contenteditable=true],[onclick]';
  const roleOf = el => {
    const r = el.getAttribute('role');
    if (r) return r;
    const t = el.tagName.toLowerCase();
    if (t === 'a') return 'link';
    if (t === 'button' || t === 'summary') return 'button';
    if (t === 'select') return 'combobox';
    if (t === 'textarea') return 'textbox';
    if (t === 'input') {
      const ty = (el.type || 'text').toLowerCase();
      if (ty === 'checkbox' || ty === 'radio') return ty;
      if (['submit', 'button', 'reset', 'image'].includes(ty)) return 'button';
      if (ty === 'file') return 'file';
      return 'textbox';
    }
    if (el.isContentEditable) return 'textbox';
    return 'generic';
  };
  const nameOf = el => {
    const a = el.getAttribute('aria-label');
    if (a) return clip(a, 80);
    if (el.labels && el.labels.length) return clip([...el.labels].map(l => l.innerText).join(' '), 80);
    const t = el.tagName;
    if (t === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type)) return clip(el.value, 80);
    if (t === 'INPUT' || t === 'TEXTAREA') return clip(el.placeholder || el.name || el.title, 80);
    if (t === 'SELECT') return clip(el.name || el.title, 80);
    return clip(el.innerText || el.title || el.getAttribute('alt') || '', 80);
  };
  const refOf = el => {
    let r = el.getAttribute('data-mcp-ref');
    if (!r) { topw.__mcpSeq = (topw.__mcpSeq || 0) + 1; r = 'e' + topw.__mcpSeq; el.setAttribute('data-mcp-ref', r); }
    return r;
  };
  const describe = el => {
    const role = roleOf(el);
    let line = '- ' + role + ' ' + q(nameOf(el)) + ' [ref=' + refOf(el) + ']';
    const t = el.tagName;
    if (t === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) line += el.checked ? ' [checked]' : '';
    else if (t === 'INPUT' && el.type === 'password') line += el.value ? ' value="••••"' : '';
    else if ((t === 'INPUT' && role === 'textbox') || t === 'TEXTAREA') line += ' value=' + q(clip(el.value, 120));
    else if (t === 'SELECT') line += ' value=' + q(el.selectedOptions.length ? clip(el.selectedOptions[0].text, 80) : '') + ' options=' + q([...el.options].slice(0, 20).map(o => clip(o.text, 40)));
    else if (t === 'A') line += ' -> ' + clip(el.getAttribute('href'), 120);
    if (el.disabled) line += ' [disabled]';
    return line;
  };
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'META', 'LINK', 'IFRAME', 'FRAME']);
  const snapshot = max => {
    const lines = [];
    let cut = false;
    const push = (d, s) => { if (lines.length >= max) { cut = true; return; } lines.push('  '.repeat(d) + s); };
    const walk = (node, d) => {
      for (const ch of node.childNodes) {
        if (cut) return;
        if (ch.nodeType === 3) {
          const t = clip(ch.textContent, 300);
          if (t) push(d, '- text: ' + t);
          continue;
        }
        if (ch.nodeType !== 1 || SKIP.has(ch.tagName)) continue;
        if (!visible(ch)) continue;
        if (ch.matches(INTERACTIVE)) { push(d, describe(ch)); continue; }
        const h = /^H([1-6])$/.exec(ch.tagName);
        if (h) { push(d, '- heading ' + q(clip(ch.innerText, 120)) + ' [level=' + h[1] + ']'); continue; }
        walk(ch.shadowRoot || ch, d);
      }
    };
    for (const { doc, frame } of docs()) {
      if (frame) {
        if (!visible(frame)) continue;
        push(0, '- iframe ' + q(clip(frame.title || frame.name || frame.getAttribute('src') || '', 80)) + ':');
      }
      if (doc.body) walk(doc.body, frame ? 1 : 0);
    }
    return { url: location.href, title: document.title, lines, cut };
  };
  const find = (ref, sel) => {
    for (const { doc, frame } of docs()) {
      let el = null;
      try { el = ref ? doc.querySelector('[data-mcp-ref="' + CSS.escape(ref) + '"]') : doc.querySelector(sel); } catch (e) { return { error: 'selector ' + q(sel) + ' is not valid CSS: ' + e.message }; }
      if (el) return { el, frame };
    }
    return { error: ref ? 'no element has ref ' + ref + ' on the page now: take a new browser_snapshot and use its refs' : 'no element matches the selector ' + q(sel) };
  };
  const frames = el => { const fs = []; let w = el.ownerDocument.defaultView; while (w.frameElement) { fs.unshift(w.frameElement); w = w.frameElement.ownerDocument.defaultView; } return fs; };
  // box scrolls the element into view and returns its centre and rectangle
  // in the top viewport's CSS pixels.
  const box = (ref, sel) => {
    const f = find(ref, sel);
    if (f.error) return f;
    const chain = frames(f.el);
    for (const fr of chain) fr.scrollIntoView({ block: 'center', inline: 'center' });
    f.el.scrollIntoView({ block: 'center', inline: 'center' });
    const r = f.el.getBoundingClientRect();
    let x = r.left, y = r.top;
    for (const fr of chain.slice().reverse()) { const b = fr.getBoundingClientRect(); x += b.left + fr.clientLeft; y += b.top + fr.clientTop; }
    return { x: x + r.width / 2, y: y + r.height / 2, left: x, top: y, width: r.width, height: r.height, sx: window.scrollX, sy: window.scrollY };
  };
  const focus = (ref, sel, clear) => {
    const f = find(ref, sel);
    if (f.error) return f;
    const el = f.el;
    for (const fr of frames(el)) fr.scrollIntoView({ block: 'center' });
    el.scrollIntoView({ block: 'center' });
    el.focus();
    if (clear) {
      if ('value' in el) { el.value = ''; el.dispatchEvent(new Event('input', { bubbles: true })); }
      else if (el.isContentEditable) el.textContent = '';
    }
    if (el.ownerDocument.activeElement !== el) return { error: 'the element ' + (ref || sel) + ' cannot take text (it is not focusable)' };
    return { ok: true };
  };
  const select = (ref, sel, values) => {
    const f = find(ref, sel);
    if (f.error) return f;
    const el = f.el;
    if (el.tagName !== 'SELECT') return { error: 'the element ' + (ref || sel) + ' is a ' + el.tagName.toLowerCase() + ', not a select' };
    const want = values.map(v => v.toLowerCase());
    const chosen = [];
    for (const o of el.options) {
      const hit = want.includes(o.value.toLowerCase()) || want.includes(o.text.trim().toLowerCase());
      if (el.multiple) o.selected = hit;
      if (hit) { if (!el.multiple) el.value = o.value; chosen.push(o.value); if (!el.multiple) break; }
    }
    if (!chosen.length) return { error: 'no option of ' + (ref || sel) + ' has the value or text ' + q(values) + '; options: ' + q([...el.options].map(o => o.text.trim())) };
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return { ok: true, selected: chosen };
  };
  const scroll = (ref, sel, dx, dy) => {
    if (ref || sel) { const b = box(ref, sel); if (b.error) return b; }
    else window.scrollBy(dx, dy);
    return { ok: true, x: window.scrollX, y: window.scrollY };
  };
  const text = () => docs().map(d => d.doc.body ? d.doc.body.innerText : '').join('\n');
  const waitCheck = (sel, txt) => {
    if (sel) { for (const { doc } of docs()) { const el = doc.querySelector(sel); if (el && visible(el)) return true; } return false; }
    return text().includes(txt);
  };
  return (window.__mcp = { v: 1, snapshot, box, focus, select, scroll, text, waitCheck, find });
})()
