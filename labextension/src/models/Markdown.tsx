/**
 * The model card, rendered from its markdown as React elements: headings, paragraphs,
 * bullet lists, pipe tables and `code`. React escapes every text node, so nothing in a card
 * (names, descriptions, params) can become markup; the card's own HTML escapes are decoded
 * back to the characters they stand for.
 */
import React from 'react';

const ENTITIES: Record<string, string> = {
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
  '&quot;': '"',
  '&#x27;': "'",
  '&#39;': "'"
};

function decode(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|#x27|#39);/g, entity => ENTITIES[entity] ?? entity);
}

/** Inline text with `code` spans. */
function inline(text: string, key: string): React.ReactNode[] {
  return text.split(/(`[^`]*`)/g).map((part, index) =>
    part.startsWith('`') && part.endsWith('`') && part.length >= 2 ? (
      <code key={`${key}-${index}`}>{decode(part.slice(1, -1))}</code>
    ) : (
      <React.Fragment key={`${key}-${index}`}>{decode(part)}</React.Fragment>
    )
  );
}

/** The cells of a `| a | b |` row; `\|` is a literal bar. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner
    .split(/(?<!\\)\|/)
    .map(cell => cell.trim().replace(/\\\|/g, '|'));
}

export function Markdown(props: { text: string; testId?: string }): JSX.Element {
  const lines = props.text.split('\n');
  const blocks: React.ReactNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const key = `b${i}`;
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(heading[1].length + 2, 6);
      blocks.push(React.createElement(`h${level}`, { key }, inline(heading[2], key)));
      i++;
    } else if (line.trim().startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i].trim().startsWith('|')) {
        if (!/^\|?[\s|:-]+\|?$/.test(lines[i].trim())) {
          rows.push(cells(lines[i]));
        }
        i++;
      }
      const [head, ...body] = rows;
      blocks.push(
        <table key={key} className="mlops-lab-card-table">
          <thead>
            <tr>
              {head.map((cell, c) => (
                <th key={c}>{inline(cell, `${key}h${c}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {body.map((row, r) => (
              <tr key={r}>
                {row.map((cell, c) => (
                  <td key={c}>{inline(cell, `${key}r${r}c${c}`)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    } else if (/^\s*-\s+/.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^\s*-\s+/.test(lines[i])) {
        items.push(lines[i].replace(/^\s*-\s+/, ''));
        i++;
      }
      blocks.push(
        <ul key={key}>
          {items.map((item, n) => (
            <li key={n}>{inline(item, `${key}i${n}`)}</li>
          ))}
        </ul>
      );
    } else if (line.trim()) {
      const para: string[] = [];
      while (
        i < lines.length &&
        lines[i].trim() &&
        !/^(#{1,4})\s/.test(lines[i]) &&
        !lines[i].trim().startsWith('|') &&
        !/^\s*-\s+/.test(lines[i])
      ) {
        para.push(lines[i]);
        i++;
      }
      blocks.push(<p key={key}>{inline(para.join(' '), key)}</p>);
    } else {
      i++;
    }
  }
  return (
    <div className="mlops-lab-card" data-testid={props.testId}>
      {blocks}
    </div>
  );
}
