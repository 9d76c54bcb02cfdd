/** Minimal SVG charts for BENCHMARKS.md: grouped bars and stacked bars, no dependencies. */

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function groupedBars(options: {
  title: string;
  unit: string;
  groups: string[];
  series: { name: string; values: number[] }[];
  log?: boolean;
}): string {
  const width = 720;
  const height = 360;
  const left = 70;
  const bottom = 50;
  const top = 40;
  const plotH = height - top - bottom;
  const plotW = width - left - 20;
  const all = options.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const max = Math.max(1e-9, ...all);
  const scale = (v: number) =>
    options.log ? Math.log10(Math.max(1, v)) / Math.log10(Math.max(10, max)) : v / max;
  const groupW = plotW / options.groups.length;
  const barW = (groupW * 0.8) / options.series.length;
  const bars = options.groups.flatMap((g, gi) =>
    options.series.map((s, si) => {
      const v = s.values[gi] ?? 0;
      const h = Math.max(0, scale(v) * plotH);
      const x = left + gi * groupW + groupW * 0.1 + si * barW;
      return `<rect x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(s.name)} ${esc(g)}: ${v.toFixed(2)} ${esc(options.unit)}</title></rect>
<text x="${(x + barW / 2).toFixed(1)}" y="${(top + plotH - h - 3).toFixed(1)}" font-size="9" text-anchor="middle">${formatNumber(v)}</text>`;
    }),
  );
  const labels = options.groups.map(
    (g, gi) =>
      `<text x="${(left + gi * groupW + groupW / 2).toFixed(1)}" y="${height - bottom + 18}" font-size="12" text-anchor="middle">${esc(g)}</text>`,
  );
  const legend = options.series.map(
    (s, si) =>
      `<rect x="${left + si * 170}" y="${height - 18}" width="10" height="10" fill="${COLORS[si % COLORS.length]}"/><text x="${left + si * 170 + 14}" y="${height - 9}" font-size="11">${esc(s.name)}</text>`,
  );
  return svg(
    width,
    height,
    options.title,
    `${options.unit}${options.log ? ' (log scale)' : ''}`,
    [...bars, ...labels, ...legend],
    left,
    top,
    plotH,
  );
}

export function stackedBars(options: {
  title: string;
  unit: string;
  bars: { label: string; parts: Record<string, number> }[];
}): string {
  const width = 720;
  const height = 380;
  const left = 70;
  const top = 40;
  const bottom = 70;
  const plotH = height - top - bottom;
  const plotW = width - left - 20;
  const keys = [...new Set(options.bars.flatMap((b) => Object.keys(b.parts)))];
  const max = Math.max(1e-9, ...options.bars.map((b) => Object.values(b.parts).reduce((a, c) => a + c, 0)));
  const barW = (plotW / options.bars.length) * 0.6;
  const shapes = options.bars.flatMap((b, bi) => {
    let y = top + plotH;
    const x = left + (plotW / options.bars.length) * bi + (plotW / options.bars.length) * 0.2;
    const total = Object.values(b.parts).reduce((a, c) => a + c, 0);
    return [
      ...keys.map((k, ki) => {
        const h = ((b.parts[k] ?? 0) / max) * plotH;
        y -= h;
        return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[ki % COLORS.length]}"><title>${esc(k)}: ${(b.parts[k] ?? 0).toFixed(2)}</title></rect>`;
      }),
      `<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="11" text-anchor="middle">${formatNumber(total)}</text>`,
      `<text x="${(x + barW / 2).toFixed(1)}" y="${height - bottom + 16}" font-size="12" text-anchor="middle">${esc(b.label)}</text>`,
    ];
  });
  const legend = keys.map(
    (k, ki) =>
      `<rect x="${left + (ki % 4) * 160}" y="${height - 36 + Math.floor(ki / 4) * 16}" width="10" height="10" fill="${COLORS[ki % COLORS.length]}"/><text x="${left + (ki % 4) * 160 + 14}" y="${height - 27 + Math.floor(ki / 4) * 16}" font-size="11">${esc(k)}</text>`,
  );
  return svg(width, height, options.title, options.unit, [...shapes, ...legend], left, top, plotH);
}

function svg(
  width: number,
  height: number,
  title: string,
  unit: string,
  body: string[],
  left: number,
  top: number,
  plotH: number,
) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<title>${esc(title)}</title>
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" font-size="15" text-anchor="middle" font-weight="bold">${esc(title)}</text>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333"/>
<line x1="${left}" y1="${top + plotH}" x2="${width - 20}" y2="${top + plotH}" stroke="#333"/>
<text x="14" y="${top + plotH / 2}" font-size="11" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${esc(unit)}</text>
${body.join('\n')}
</svg>
`;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(1);
  return v.toPrecision(2);
}
