//! Cursor pagination: walk every page of a list operation, or stream its items.
//!
//! The generator implements [`Paginated`] for each operation with a `cursor` query parameter whose
//! answer has a string cursor, and [`PaginatedItems`] too when the answer has exactly one array of
//! items (answers with two arrays, such as positions, are walked page by page). A page stream stops on an empty cursor, fails
//! with [`Error::RepeatedCursor`] instead of looping when the server repeats a cursor, sends the
//! request's `limit` on every page, and can stop after a maximum number of pages.

use crate::error::{Error, Result};
use crate::operation::Operation;
use crate::rest::client::Client;
use futures_util::stream::{self, BoxStream};
use std::collections::HashSet;

/// The stream traits, re-exported so callers need no `futures` dependency of their own.
pub use futures_util::stream::{Stream, StreamExt, TryStreamExt};

/// A list operation that pages with a cursor (implemented by generated code).
pub trait Paginated: Operation + Clone + 'static {
    /// Sets the cursor for the next page.
    fn set_cursor(&mut self, cursor: String);
    /// The cursor of the next page; `None` or empty on the last page.
    fn next_cursor(page: &Self::Output) -> Option<&str>;
}

/// A paginated operation whose pages hold one array of items (implemented by generated code).
pub trait PaginatedItems: Paginated {
    /// One element of a page.
    type Item: Send + 'static;
    /// The page's items.
    fn into_items(page: Self::Output) -> Vec<Self::Item>;
}

/// Walks the pages of a [`Paginated`] request; made by [`Client::paginate`].
#[derive(Debug, Clone)]
#[must_use = "a paginator does nothing until its pages or items are polled"]
pub struct Paginator<O> {
    client: Client,
    request: O,
    max_pages: Option<usize>,
}

struct State<O> {
    client: Client,
    request: O,
    seen: HashSet<String>,
    pages: usize,
    max_pages: Option<usize>,
    done: bool,
    pending: Option<Error>,
}

impl<O> Paginator<O>
where
    O: Paginated,
    O::Output: 'static,
{
    /// Stops after `n` pages even if the server has more.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// A stream of whole pages, in order. (Boxed, so it is `Unpin` and easy to poll with
    /// `try_next`; one allocation per walk.)
    pub fn pages(self) -> BoxStream<'static, Result<O::Output>> {
        let state = State {
            client: self.client,
            request: self.request,
            seen: HashSet::new(),
            pages: 0,
            max_pages: self.max_pages,
            done: false,
            pending: None,
        };
        stream::unfold(state, |mut st| async move {
            if let Some(err) = st.pending.take() {
                st.done = true;
                return Some((Err(err), st));
            }
            if st.done || st.max_pages.is_some_and(|max| st.pages >= max) {
                return None;
            }
            let page = match st.client.execute(&st.request).await {
                Ok(page) => page,
                Err(err) => {
                    st.done = true;
                    return Some((Err(err), st));
                }
            };
            st.pages += 1;
            match O::next_cursor(&page).filter(|c| !c.is_empty()) {
                None => st.done = true,
                Some(cursor) => {
                    if st.seen.insert(cursor.to_owned()) {
                        st.request.set_cursor(cursor.to_owned());
                    } else {
                        st.pending = Some(Error::RepeatedCursor {
                            operation: O::INFO.id,
                            cursor: cursor.to_owned(),
                            pages: st.pages,
                        });
                    }
                }
            }
            Some((Ok(page), st))
        })
        .boxed()
    }
}

impl<O> Paginator<O>
where
    O: PaginatedItems,
    O::Output: 'static,
{
    /// A stream of the items of every page, in order.
    pub fn items(self) -> BoxStream<'static, Result<O::Item>> {
        self.pages()
            .map_ok(|page| stream::iter(O::into_items(page).into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Every item of every page, collected.
    pub async fn collect_items(self) -> Result<Vec<O::Item>> {
        self.items().try_collect().await
    }
}

impl Client {
    /// Pages through a list operation from its first page (or from the request's cursor).
    ///
    /// ```no_run
    /// # async fn demo(client: kalshi_api::Client) -> kalshi_api::Result<()> {
    /// use kalshi_api::pagination::TryStreamExt;
    /// use kalshi_api::ops::GetMarkets;
    ///
    /// let mut markets = client.paginate(GetMarkets::new().limit(1000)).items();
    /// while let Some(market) = markets.try_next().await? {
    ///     println!("{}", market.ticker);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn paginate<O: Paginated>(&self, request: O) -> Paginator<O> {
        Paginator {
            client: self.clone(),
            request,
            max_pages: None,
        }
    }
}
