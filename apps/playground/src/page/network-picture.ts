// A small picture of the network — input token, embedding, the blocks, the lm_head, output token —
// that lights up, left to right, each time a token passes through it. It is a schematic: one
// column per stage (at most MAX_BLOCKS blocks drawn), lit by the real token events of the query
// as they arrive; the weights between the columns are labelled with their state (frozen while
// a query runs, so nothing in the picture changes but the light).
// Not here: the numbers (dashboard.ts); the model (the worker).

const MAX_BLOCKS = 6;
const NODES = 5;
const SVG = "http://www.w3.org/2000/svg";

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
  parent: Element,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  parent.appendChild(node);
  return node;
}

export class NetworkPicture {
  private readonly svg: SVGSVGElement;
  private glows: SVGRectElement[] = [];
  private input!: SVGTextElement;
  private output!: SVGTextElement;
  private weights!: SVGTextElement;
  private counter!: SVGTextElement;
  private tokens = 0;

  constructor(container: HTMLElement) {
    this.svg = document.createElementNS(SVG, "svg");
    container.appendChild(this.svg);
    this.build(2);
  }

  /** Redraws the columns for a model of `layers` blocks. */
  build(layers: number): void {
    this.svg.replaceChildren();
    const drawn = Math.min(layers, MAX_BLOCKS);
    const labels = ["input", "embedding"];
    for (let i = 0; i < drawn; i++)
      labels.push(drawn < layers && i === drawn - 1 ? `… block ${layers}` : `block ${i + 1}`);
    labels.push("lm_head", "output");
    const width = 90 * labels.length;
    this.svg.setAttribute("viewBox", `0 0 ${width} 190`);
    const x = (i: number) => 45 + i * 90;
    const y = (j: number) => 40 + j * 24;
    // Edges first, so the nodes sit on top of them.
    for (let i = 1; i < labels.length - 2; i++) {
      for (let a = 0; a < NODES; a++) {
        for (let b = 0; b < NODES; b++)
          el("line", { x1: x(i), y1: y(a), x2: x(i + 1), y2: y(b), class: "edge" }, this.svg);
      }
    }
    this.glows = labels.map((label, i) => {
      const glow = el(
        "rect",
        { x: x(i) - 30, y: 22, width: 60, height: 134, rx: 8, class: "lit", opacity: 0 },
        this.svg,
      );
      el("text", { x: x(i), y: 176, "text-anchor": "middle" }, this.svg).textContent = label;
      if (i > 0 && i < labels.length - 1) {
        for (let j = 0; j < NODES; j++) el("circle", { cx: x(i), cy: y(j), r: 7, class: "node" }, this.svg);
      }
      return glow;
    });
    this.input = el("text", { x: x(0), y: 92, "text-anchor": "middle" }, this.svg);
    this.output = el("text", { x: x(labels.length - 1), y: 92, "text-anchor": "middle" }, this.svg);
    this.weights = el("text", { x: width / 2, y: 14, "text-anchor": "middle" }, this.svg);
    this.counter = el(
      "text",
      { x: width - 6, y: 14, "text-anchor": "end", "data-testid": "network-tokens" },
      this.svg,
    );
    this.counter.textContent = String(this.tokens);
  }

  setWeightsState(state: string): void {
    this.weights.textContent = `weights: ${state}`;
  }

  /** One token through the network: `input` went in, `output` came out. */
  pass(input: string, output: string): void {
    this.tokens++;
    this.counter.textContent = String(this.tokens);
    this.input.textContent = JSON.stringify(input).slice(1, -1).slice(0, 8);
    this.output.textContent = JSON.stringify(output).slice(1, -1).slice(0, 8);
    this.glows.forEach((glow, i) => {
      glow.animate([{ opacity: 0 }, { opacity: 0.55 }, { opacity: 0 }], { duration: 300, delay: i * 45 });
    });
  }
}
