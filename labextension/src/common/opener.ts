/**
 * How a part's main-area view is opened from another part's view (a retraining firing opens
 * a pipeline run or a DAG run): the owning plugin sets the opener when it activates.
 */
export interface IOpener {
  set(open: (id: string) => void): void;
  open(id: string): void;
}

export function makeOpener(): IOpener {
  let opener: ((id: string) => void) | null = null;
  return {
    set: open => {
      opener = open;
    },
    open: id => opener?.(id)
  };
}
