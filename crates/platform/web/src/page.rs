//! Pagination: `?page=1&size=20` in, `{items, page, size, total}` out. Pages count from 1.

use serde::{Deserialize, Serialize};

use crate::Problem;

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;

/// Query parameters of a paginated list.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub size: Option<u32>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub size: u32,
}

impl PageRequest {
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.size)
    }
    pub fn limit(&self) -> i64 {
        i64::from(self.size)
    }
}

impl PageParams {
    /// Validates the parameters: a 400 names the bad one.
    pub fn validate(&self) -> Result<PageRequest, Problem> {
        let page = self.page.unwrap_or(1);
        let size = self.size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page == 0 {
            return Err(Problem::bad_request("`page` counts from 1"));
        }
        if size == 0 || size > MAX_PAGE_SIZE {
            return Err(Problem::bad_request(format!(
                "`size` must be between 1 and {MAX_PAGE_SIZE}"
            )));
        }
        Ok(PageRequest { page, size })
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub size: u32,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, req: PageRequest, total: u64) -> Self {
        Self {
            items,
            page: req.page,
            size: req.size,
            total,
        }
    }
}
