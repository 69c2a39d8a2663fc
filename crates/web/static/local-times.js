// Shows every <time data-local> in the reader's own time zone; without scripts the page keeps
// the UTC time it was served with, labelled as such.
for (const element of document.querySelectorAll('time[data-local]')) {
  const moment = new Date(element.getAttribute('datetime'));
  if (Number.isNaN(moment.getTime())) continue;
  const options = element.dataset.local === 'date'
    ? { dateStyle: 'medium' }
    : { dateStyle: 'medium', timeStyle: 'short' };
  element.title = element.textContent;
  element.textContent = new Intl.DateTimeFormat(undefined, options).format(moment);
}
