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
  // Many groups: labels are slanted so that long function names do not overlap.
  const slanted = options.groups.length > 6;
  const width = 720;
  const height = slanted ? 420 : 360;
  const left = 70;
  const bottom = slanted ? 110 : 50;
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
  const labels = options.groups.map((g, gi) => {
    const x = (left + gi * groupW + groupW / 2).toFixed(1);
    const y = height - bottom + 18;
    return slanted
      ? `<text x="${x}" y="${y}" font-size="11" text-anchor="end" transform="rotate(-35 ${x} ${y})">${esc(g)}</text>`
      : `<text x="${x}" y="${y}" font-size="12" text-anchor="middle">${esc(g)}</text>`;
  });
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

/**
 * Lines on log-log axes (decades labelled), with an optional marked x (e.g. a crossover).
 * Non-positive values are left out: a log axis has no place for them.
 */
export function logLogLines(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; points: { x: number; y: number }[] }[];
  marker?: { x: number; label: string };
}): string {
  const width = 720;
  const height = 400;
  const left = 80;
  const right = 20;
  const top = 40;
  const bottom = 70;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const points = options.series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0);
  const xs = [...points.map((p) => p.x), ...(options.marker ? [options.marker.x] : [])];
  const ys = points.map((p) => p.y);
  const x0 = Math.floor(Math.log10(Math.min(...xs)));
  const x1 = Math.ceil(Math.log10(Math.max(...xs)));
  const y0 = Math.floor(Math.log10(Math.min(...ys)));
  const y1 = Math.max(y0 + 1, Math.ceil(Math.log10(Math.max(...ys))));
  const sx = (x: number) => left + ((Math.log10(x) - x0) / Math.max(1, x1 - x0)) * plotW;
  const sy = (y: number) => top + plotH - ((Math.log10(y) - y0) / (y1 - y0)) * plotH;
  const grid: string[] = [];
  for (let d = x0; d <= x1; d++) {
    grid.push(
      `<line x1="${sx(10 ** d).toFixed(1)}" y1="${top}" x2="${sx(10 ** d).toFixed(1)}" y2="${top + plotH}" stroke="#ddd"/>`,
      `<text x="${sx(10 ** d).toFixed(1)}" y="${top + plotH + 16}" font-size="11" text-anchor="middle">${esc(compact(10 ** d))}</text>`,
    );
  }
  for (let d = y0; d <= y1; d++) {
    grid.push(
      `<line x1="${left}" y1="${sy(10 ** d).toFixed(1)}" x2="${left + plotW}" y2="${sy(10 ** d).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${(sy(10 ** d) + 4).toFixed(1)}" font-size="11" text-anchor="end">${esc(compact(10 ** d))}</text>`,
    );
  }
  const lines = options.series.flatMap((s, si) => {
    const ps = s.points.filter((p) => p.x > 0 && p.y > 0);
    const color = COLORS[si % COLORS.length];
    return [
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${ps.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`,
      ...ps.map(
        (p) =>
          `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${color}"><title>${esc(s.name)}: ${esc(compact(p.x))} -> ${formatNumber(p.y)}</title></circle>`,
      ),
    ];
  });
  const marker = options.marker
    ? [
        `<line x1="${sx(options.marker.x).toFixed(1)}" y1="${top}" x2="${sx(options.marker.x).toFixed(1)}" y2="${top + plotH}" stroke="#333" stroke-dasharray="5,4"/>`,
        // The label goes on the side of the line with room for it.
        sx(options.marker.x) > left + plotW / 2
          ? `<text x="${(sx(options.marker.x) - 5).toFixed(1)}" y="${top + 14}" font-size="11" text-anchor="end">${esc(options.marker.label)}</text>`
          : `<text x="${(sx(options.marker.x) + 5).toFixed(1)}" y="${top + 14}" font-size="11">${esc(options.marker.label)}</text>`,
      ]
    : [];
  const legend = options.series.map(
    (s, si) =>
      `<rect x="${left + si * 260}" y="${height - 22}" width="10" height="10" fill="${COLORS[si % COLORS.length]}"/><text x="${left + si * 260 + 14}" y="${height - 13}" font-size="11">${esc(s.name)}</text>`,
  );
  const body = [
    ...grid,
    ...lines,
    ...marker,
    ...legend,
    `<text x="${left + plotW / 2}" y="${top + plotH + 36}" font-size="12" text-anchor="middle">${esc(options.xLabel)}</text>`,
  ];
  return svg(width, height, options.title, options.yLabel, body, left, top, plotH);
}

/** 1000 -> "1k", 1e6 -> "1M", 0.01 -> "0.01". */
export function compact(v: number): string {
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [u, s] of units) if (Math.abs(v) >= u) return `${Number((v / u).toPrecision(3))}${s}`;
  return String(Number(v.toPrecision(3)));
}
