'use client';

import { Panel, useReactFlow } from '@xyflow/react';
import { type KeyboardEvent, type MouseEvent, memo, useEffect, useId, useMemo, useRef, useState } from 'react';
import './node-finder.css';
import type { TopologyNode } from './graph-shape';
import { indexForSearch, searchNodes } from './node-search';
import { NODE_HEIGHT, NODE_WIDTH } from './use-elk-layout';

/** A longer list is not one to read or arrow through: the rest are counted, so the user types more. */
const FINDER_LIMIT = 50;
/** A found node is shown at least this close: its text readable and, in a big graph, mounted as an element. */
const FOUND_ZOOM = 1;
const MOVE_MS = 400;
/** Inputs that take no text: "/" typed while one has focus still means "go to the finder". */
const NON_TEXT_INPUTS = new Set(['button', 'checkbox', 'color', 'file', 'image', 'radio', 'range', 'reset', 'submit']);

function takesText(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !NON_TEXT_INPUTS.has(target.type);
}

function qualifiedName(node: TopologyNode): string {
  return node.namespace ? `${node.namespace}/${node.name}` : node.name;
}

function countMessage(total: number, shown: number, query: string): string {
  if (total === 0) return query.trim() === '' ? 'The graph has no nodes' : `No node matches “${query.trim()}”`;
  const matches = `${total} ${total === 1 ? 'node matches' : 'nodes match'}`;
  return shown < total ? `${matches}, the first ${shown} are listed` : matches;
}

const keepFocus = (event: MouseEvent) => event.preventDefault();

/**
 * Go to a node by name or namespace, from the keyboard (WAI-ARIA combobox with a listbox popup): every node of the graph
 * is reachable this way, also in a big graph whose nodes are mostly drawn as shapes without an element to tab to.
 * Choosing one selects it (its panel opens, as on a click) and centres the view on it. "/" focuses the box.
 * Rendered inside <ReactFlow> (it moves React Flow's viewport); memoized, so the canvas's own renders skip it.
 */
export const NodeFinder = memo(function NodeFinder({
  nodes,
  onSelect,
}: {
  nodes: readonly TopologyNode[];
  onSelect: (id: string) => void;
}) {
  const flow = useReactFlow();
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const listId = useId();
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  // The active option by node id, so a live refresh that reorders or replaces the list keeps it (or drops it).
  const [active, setActive] = useState<string | null>(null);
  const index = useMemo(() => indexForSearch(nodes), [nodes]);
  const { shown, total } = useMemo(() => searchNodes(index, query, FINDER_LIMIT), [index, query]);
  const activeIndex = active === null ? -1 : shown.findIndex((node) => node.id === active);
  const optionId = (i: number) => `${listId}-${i}`;
  const expanded = open && shown.length > 0;

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || takesText(event.target)) return;
      event.preventDefault();
      input.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    if (activeIndex >= 0) list.current?.children[activeIndex]?.scrollIntoView({ block: 'nearest' });
  }, [activeIndex]);

  const choose = (node: TopologyNode) => {
    setQuery(qualifiedName(node));
    setOpen(false);
    setActive(null);
    onSelect(node.id);
    const placed = flow.getInternalNode(node.id);
    if (!placed) return;
    const { x, y } = placed.internals.positionAbsolute;
    const width = placed.measured.width ?? NODE_WIDTH;
    const height = placed.measured.height ?? NODE_HEIGHT;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    void flow.setCenter(x + width / 2, y + height / 2, { zoom: Math.max(flow.getZoom(), FOUND_ZOOM), duration: still ? 0 : MOVE_MS });
  };

  /** From `current` (-1: none, so Down goes to the first option and Up to the last) to the next option, wrapping around. */
  const move = (current: number, step: 1 | -1) => {
    if (shown.length === 0) return;
    const from = current < 0 ? (step === 1 ? -1 : shown.length) : current;
    const next = shown[(from + step + shown.length) % shown.length];
    if (next) setActive(next.id);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.nativeEvent.isComposing) return; // an input method's Enter and arrows are its own
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        setOpen(true);
        // Alt+Down opens the list without moving into it; a list that opens starts from no active option.
        if (event.altKey) setActive(null);
        else move(open ? activeIndex : -1, event.key === 'ArrowDown' ? 1 : -1);
        break;
      }
      case 'Enter': {
        const node = expanded ? shown[activeIndex] : undefined;
        if (node) {
          event.preventDefault();
          choose(node);
        }
        break;
      }
      case 'Escape': {
        // First Escape closes the list, a second one clears the box.
        event.preventDefault();
        if (open) setOpen(false);
        else setQuery('');
        setActive(null);
        break;
      }
    }
  };

  const more = total - shown.length;
  return (
    <Panel position="top-right" className="node-finder" data-testid="node-finder">
      <label className="node-finder-field">
        <span>Go to node</span>
        <input
          ref={input}
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-activedescendant={expanded && activeIndex >= 0 ? optionId(activeIndex) : undefined}
          aria-keyshortcuts="/"
          placeholder="name or namespace (press /)"
          title="Go to a node by name or namespace (press / to get here)"
          autoComplete="off"
          spellCheck={false}
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setOpen(true);
            setActive(null);
          }}
          onKeyDown={onKeyDown}
          onClick={() => setOpen(true)}
          onBlur={() => setOpen(false)}
        />
      </label>
      <div className="node-finder-popup" hidden={!open}>
        {/* Options are pointed at (aria-activedescendant), never focused: a press on the list keeps focus in the box. */}
        <div ref={list} id={listId} role="listbox" aria-label="Nodes" tabIndex={-1} onMouseDown={keepFocus}>
          {shown.map((node, i) => (
            <div
              key={node.id}
              id={optionId(i)}
              role="option"
              tabIndex={-1}
              aria-selected={i === activeIndex}
              className={i === activeIndex ? 'active' : undefined}
              onMouseDown={(event) => {
                if (event.button === 0) choose(node);
              }}
            >
              <span className="node-finder-name">{node.name}</span>{' '}
              <span className="muted">
                {node.kind}
                {node.namespace ? ` · ${node.namespace}` : ''}
                {node.version ? ` · ${node.version}` : ''}
              </span>
            </div>
          ))}
        </div>
        {more > 0 ? <p className="node-finder-note">{more} more — refine the search</p> : null}
        {total === 0 ? <p className="node-finder-note">{countMessage(0, 0, query)}</p> : null}
      </div>
      <p className="node-finder-status" role="status">
        {open ? countMessage(total, shown.length, query) : ''}
      </p>
    </Panel>
  );
});
