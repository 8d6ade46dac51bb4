/** "label: part 3/8" rewritten in place on a terminal's stderr while a command reads a run's parts; nothing elsewhere. */
export function partProgress(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  const tty = stream.isTTY;
  return (done, total) => {
    if (tty) stream.write(`\r${label}: part ${done}/${total}\x1b[K${done === total ? '\n' : ''}`);
  };
}
