import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** A view of a drawing: shifted by (x, y) screen pixels and scaled by k. */
export interface View {
  x: number;
  y: number;
  k: number;
}

export const MIN_SCALE = 0.1;
export const MAX_SCALE = 3;
const clamp = (k: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));

/** The view that shows a `width`×`height` drawing whole inside a `box`, never enlarged. */
export function fitView(width: number, height: number, box: { width: number; height: number }, pad = 12): View {
  const k = clamp(Math.min(1, (box.width - 2 * pad) / width, (box.height - 2 * pad) / height));
  return { k, x: (box.width - width * k) / 2, y: (box.height - height * k) / 2 };
}

/** The view at scale `k` with the drawing's point (cx, cy) in the middle of the box. */
export function centreOn(cx: number, cy: number, k: number, box: { width: number; height: number }): View {
  return { k, x: box.width / 2 - cx * k, y: box.height / 2 - cy * k };
}

/** Zooms by `factor` keeping the screen point (px, py) where it is. */
export function zoomAt(view: View, factor: number, px: number, py: number): View {
  const k = clamp(view.k * factor);
  const f = k / view.k;
  return { k, x: px - (px - view.x) * f, y: py - (py - view.y) * f };
}

/**
 * Pan by dragging, zoom with the wheel (around the pointer) or by the returned `zoom`, once the
 * drawing is `drawn` (its element exists); a drag
 * longer than a few pixels swallows the click that ends it, so dragging across a node does not
 * open it.
 */
export function usePanZoom(initial: () => View, drawn: boolean) {
  const [view, setView] = useState<View>(initial);
  const ref = useRef<SVGSVGElement>(null);
  const drag = useRef<{ id: number; sx: number; sy: number; view: View; moved: boolean } | null>(null);
  /** Whether the person moved the view: until then, the owner may re-place it (on a resize). */
  const touched = useRef(false);

  useEffect(() => {
    const svg = ref.current;
    if (!svg) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      touched.current = true;
      const r = svg.getBoundingClientRect();
      const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002));
      setView((v) => zoomAt(v, factor, e.clientX - r.left, e.clientY - r.top));
    };
    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      drag.current = { id: e.pointerId, sx: e.clientX, sy: e.clientY, view: viewRef.current, moved: false };
    };
    const onMove = (e: PointerEvent) => {
      const d = drag.current;
      if (!d || d.id !== e.pointerId) return;
      const dx = e.clientX - d.sx;
      const dy = e.clientY - d.sy;
      if (!d.moved && Math.hypot(dx, dy) < 4) return;
      if (!d.moved) svg.setPointerCapture(e.pointerId);
      d.moved = true;
      touched.current = true;
      setView({ ...d.view, x: d.view.x + dx, y: d.view.y + dy });
    };
    const onUp = (e: PointerEvent) => {
      const d = drag.current;
      if (!d || d.id !== e.pointerId) return;
      drag.current = null;
      if (d.moved) {
        const swallow = (c: Event) => {
          c.preventDefault();
          c.stopPropagation();
        };
        svg.addEventListener('click', swallow, { capture: true, once: true });
        setTimeout(() => svg.removeEventListener('click', swallow, { capture: true }), 0);
      }
    };
    // A drag that starts on a node is a pan, not the browser dragging the node's link away.
    const noNativeDrag = (e: Event) => e.preventDefault();
    svg.addEventListener('dragstart', noNativeDrag);
    svg.addEventListener('wheel', onWheel, { passive: false });
    svg.addEventListener('pointerdown', onDown);
    svg.addEventListener('pointermove', onMove);
    svg.addEventListener('pointerup', onUp);
    svg.addEventListener('pointercancel', onUp);
    return () => {
      svg.removeEventListener('dragstart', noNativeDrag);
      svg.removeEventListener('wheel', onWheel);
      svg.removeEventListener('pointerdown', onDown);
      svg.removeEventListener('pointermove', onMove);
      svg.removeEventListener('pointerup', onUp);
      svg.removeEventListener('pointercancel', onUp);
    };
  }, [drawn]);

  const viewRef = useRef(view);
  viewRef.current = view;
  const zoom = useCallback((factor: number) => {
    touched.current = true;
    const svg = ref.current;
    const r = svg?.getBoundingClientRect();
    setView((v) => zoomAt(v, factor, (r?.width ?? 0) / 2, (r?.height ?? 0) / 2));
  }, []);
  return { ref, view, setView, zoom, touched };
}
