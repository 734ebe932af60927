//! Files uploaded for tickets and comments: type, content and size checks, the caps, the random names
//! they are stored under, downloading, removal, and the sweep of files nobody claimed.

mod downloading;
mod removing;
mod uploading;
