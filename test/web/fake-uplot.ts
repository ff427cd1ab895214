/**
 * A stand-in for uPlot in jsdom, which has no canvas: it keeps what it is given and runs the draw
 * hooks on every `setData`, as uPlot does after painting, so components behave as in a browser.
 */

type Hook = (u: FakeUPlot) => void;
interface Options {
  hooks?: { draw?: Hook[] };
  series: unknown[];
  width: number;
  height: number;
}

export class FakeUPlot {
  static instances: FakeUPlot[] = [];
  static paths = { bars: () => () => null };

  data: unknown[][] = [];
  destroyed = false;
  cursor: { idx: number | null } = { idx: null };
  scales = { x: { distr: 2 } };
  over = { clientHeight: 100, clientWidth: 100, offsetTop: 0, offsetLeft: 0, addEventListener() {} };
  select = { left: 0, top: 0, width: 0, height: 0 };
  /** uPlot's axes; without a canvas none is drawn, so none has tick labels. */
  axes: { show?: boolean; _values?: unknown[] }[] = [];
  width: number;

  constructor(
    readonly opts: Options,
    data: unknown[][],
    readonly root: HTMLElement,
  ) {
    this.width = opts.width;
    FakeUPlot.instances.push(this);
    this.setData(data);
  }

  setData(data: unknown[][]) {
    this.data = data;
    for (const hook of this.opts.hooks?.draw ?? []) hook(this);
  }

  setSize(size: { width: number }) {
    this.width = size.width;
  }

  setCursor() {}

  /** Zoom: the x range set, as uPlot keeps it in `scales`. */
  setScale(key: string, range: { min: number; max: number }) {
    if (key === 'x') Object.assign(this.scales.x, range);
  }

  setSelect() {}

  posToVal(p: number) {
    return p;
  }

  valToPos(v: number) {
    return v;
  }

  destroy() {
    this.destroyed = true;
  }

  /** The live chart whose root has this test id. */
  static byTestId(id: string): FakeUPlot | undefined {
    return FakeUPlot.instances.find((u) => !u.destroyed && u.root.dataset.testid === id);
  }
}
