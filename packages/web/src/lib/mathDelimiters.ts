/** `\( … \)` and `\[ … \]` (as many models write math) become `$ … $` / `$$ … $$`, outside code. */
export function normaliseMathDelimiters(source: string): string {
  const parts = source.split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/g);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return part;
      return part
        .replace(/\\\[([\s\S]+?)\\\]/g, (_m, inner: string) => `\n$$\n${inner.trim()}\n$$\n`)
        .replace(/\\\(([\s\S]+?)\\\)/g, (_m, inner: string) => `$${inner.trim()}$`);
    })
    .join('');
}
